/**
 * Credential resolution against real files in a temp HOME and a real docker-credential-* helper
 * (a shell script speaking the `get` protocol). Secrets are random per run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DOCKER_HUB_KEY, dockerConfigKey, resolveCredential } from '../../../src/sources/registry/credentials.js';

let root: string;
let home: string;
let bin: string;
const secret = () => 'pw-' + randomBytes(9).toString('hex');

before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'layerlens-creds-'));
  home = path.join(root, 'home');
  bin = path.join(root, 'bin');
  mkdirSync(path.join(home, '.docker'), { recursive: true });
  mkdirSync(bin);
});
after(() => rmSync(root, { recursive: true, force: true }));

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: `${bin}:/usr/bin:/bin`, HOME: home, ...extra };
}

function writeDockerConfig(cfg: unknown, dir = path.join(home, '.docker')): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
}

/** A real credential helper: logs the server URL it was asked for, answers from a table. */
function writeHelper(name: string, table: Record<string, { Username: string; Secret: string }>): string {
  const log = path.join(root, `${name}.log`);
  const cases = Object.entries(table)
    .map(([url, v]) => `  '${url}') printf '%s' '${JSON.stringify({ ServerURL: url, ...v })}' ;;`)
    .join('\n');
  const script = `#!/bin/sh
[ "$1" = get ] || { echo "unsupported action $1" >&2; exit 1; }
read -r url
printf '%s\\n' "$url" >> '${log}'
case "$url" in
${cases}
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;
  const file = path.join(bin, `docker-credential-${name}`);
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return log;
}

test('docker.io uses the https://index.docker.io/v1/ key', () => {
  assert.equal(dockerConfigKey('docker.io'), DOCKER_HUB_KEY);
  assert.equal(dockerConfigKey('registry-1.docker.io'), DOCKER_HUB_KEY);
  assert.equal(dockerConfigKey('ghcr.io'), 'ghcr.io');
});

test('auths: base64 auth for Docker Hub and a host:port registry, scheme-prefixed keys', async () => {
  const hubPw = secret();
  const localPw = secret();
  writeDockerConfig({
    auths: {
      [DOCKER_HUB_KEY]: { auth: Buffer.from(`hubuser:${hubPw}`).toString('base64') },
      'https://registry.example.org:5000/v2/': { auth: Buffer.from(`me:${localPw}`).toString('base64') },
    },
  });
  const hub = await resolveCredential({ registry: 'docker.io', env: env(), homedir: home });
  assert.deepEqual(hub, { username: 'hubuser', password: hubPw, source: '~/.docker/config.json' });
  const local = await resolveCredential({ registry: 'registry.example.org:5000', env: env(), homedir: home });
  assert.equal(local?.username, 'me');
  assert.equal(local?.password, localPw);
  assert.equal(await resolveCredential({ registry: 'other.example.org', env: env(), homedir: home }), undefined);
});

test('identitytoken in auths becomes an identity token', async () => {
  const tok = secret();
  writeDockerConfig({
    auths: { 'registry.example.org': { auth: Buffer.from('u:').toString('base64'), identitytoken: tok } },
  });
  const c = await resolveCredential({ registry: 'registry.example.org', env: env(), homedir: home });
  assert.equal(c?.identityToken, tok);
});

test('DOCKER_CONFIG overrides ~/.docker', async () => {
  const pw = secret();
  const dir = path.join(root, 'alt-docker-config');
  writeDockerConfig({ auths: { 'alt.example.org': { auth: Buffer.from(`alt:${pw}`).toString('base64') } } }, dir);
  const c = await resolveCredential({ registry: 'alt.example.org', env: env({ DOCKER_CONFIG: dir }), homedir: home });
  assert.equal(c?.password, pw);
  assert.equal(c?.source, '$DOCKER_CONFIG/config.json');
});

test('credHelpers beat credsStore, which beats auths; helpers get the server URL on stdin', async () => {
  const helperPw = secret();
  const storePw = secret();
  const idTok = secret();
  const perHostLog = writeHelper('perhost', { 'registry.example.org': { Username: 'helperuser', Secret: helperPw } });
  const storeLog = writeHelper('store', {
    [DOCKER_HUB_KEY]: { Username: 'storeuser', Secret: storePw },
    'tok.example.org': { Username: '<token>', Secret: idTok },
  });
  writeDockerConfig({
    credsStore: 'store',
    credHelpers: { 'registry.example.org': 'perhost' },
    auths: { 'registry.example.org': { auth: Buffer.from('fileuser:filepw').toString('base64') } },
  });
  const a = await resolveCredential({ registry: 'registry.example.org', env: env(), homedir: home });
  assert.deepEqual(a, { username: 'helperuser', password: helperPw, source: 'docker-credential-perhost' });
  assert.equal(readFileSync(perHostLog, 'utf8'), 'registry.example.org\n');

  const hub = await resolveCredential({ registry: 'docker.io', env: env(), homedir: home });
  assert.equal(hub?.username, 'storeuser');
  assert.equal(hub?.password, storePw);

  const tok = await resolveCredential({ registry: 'tok.example.org', env: env(), homedir: home });
  assert.deepEqual(tok, { identityToken: idTok, source: 'docker-credential-store' });
  assert.deepEqual(readFileSync(storeLog, 'utf8').trim().split('\n'), [DOCKER_HUB_KEY, 'tok.example.org']);

  // Unknown to the store: "credentials not found" → anonymous, silently.
  const logs: string[] = [];
  assert.equal(
    await resolveCredential({ registry: 'none.example.org', env: env(), homedir: home, log: (l) => logs.push(l) }),
    undefined,
  );
  assert.deepEqual(logs, []);
});

test('a missing helper is a warning, not a failure; auths still count', async () => {
  const pw = secret();
  writeDockerConfig({
    credsStore: 'does-not-exist',
    auths: { 'x.example.org': { auth: Buffer.from(`x:${pw}`).toString('base64') } },
  });
  const logs: string[] = [];
  const c = await resolveCredential({ registry: 'x.example.org', env: env(), homedir: home, log: (l) => logs.push(l) });
  assert.equal(c?.password, pw);
  assert.match(logs.join('\n'), /docker-credential-does-not-exist not found/);
  assert.ok(!logs.join('\n').includes(pw));
});

test('Podman auth.json: XDG_RUNTIME_DIR, ~/.config, REGISTRY_AUTH_FILE, namespaced keys', async () => {
  writeDockerConfig({});
  const runtime = path.join(root, 'run');
  mkdirSync(path.join(runtime, 'containers'), { recursive: true });
  const pwRun = secret();
  const pwNs = secret();
  writeFileSync(
    path.join(runtime, 'containers', 'auth.json'),
    JSON.stringify({
      auths: {
        'quay.example.org': { auth: Buffer.from(`run:${pwRun}`).toString('base64') },
        'quay.example.org/team/app': { auth: Buffer.from(`ns:${pwNs}`).toString('base64') },
      },
    }),
  );
  const general = await resolveCredential({
    registry: 'quay.example.org',
    repository: 'other/thing',
    env: env({ XDG_RUNTIME_DIR: runtime }),
    homedir: home,
  });
  assert.equal(general?.password, pwRun);
  assert.equal(general?.source, '$XDG_RUNTIME_DIR/containers/auth.json');
  const ns = await resolveCredential({
    registry: 'quay.example.org',
    repository: 'team/app',
    env: env({ XDG_RUNTIME_DIR: runtime }),
    homedir: home,
  });
  assert.equal(ns?.password, pwNs);

  const pwCfg = secret();
  mkdirSync(path.join(home, '.config', 'containers'), { recursive: true });
  writeFileSync(
    path.join(home, '.config', 'containers', 'auth.json'),
    JSON.stringify({ auths: { 'cfg.example.org': { auth: Buffer.from(`cfg:${pwCfg}`).toString('base64') } } }),
  );
  const cfg = await resolveCredential({ registry: 'cfg.example.org', env: env(), homedir: home });
  assert.equal(cfg?.password, pwCfg);

  const pwFile = secret();
  const authFile = path.join(root, 'explicit-auth.json');
  writeFileSync(
    authFile,
    JSON.stringify({ auths: { 'cfg.example.org': { auth: Buffer.from(`file:${pwFile}`).toString('base64') } } }),
  );
  const explicit = await resolveCredential({
    registry: 'cfg.example.org',
    env: env({ REGISTRY_AUTH_FILE: authFile }),
    homedir: home,
  });
  assert.equal(explicit?.password, pwFile);
  assert.equal(explicit?.source, 'REGISTRY_AUTH_FILE');
});

test('--username/--password-stdin win over every file', async () => {
  const pw = secret();
  writeDockerConfig({ auths: { 'registry.example.org': { auth: Buffer.from('file:x').toString('base64') } } });
  const c = await resolveCredential({
    registry: 'registry.example.org',
    username: 'cli',
    password: pw,
    env: env(),
    homedir: home,
  });
  assert.deepEqual(c, { username: 'cli', password: pw, source: '--username' });
});

test('a broken config.json is ignored with a warning', async () => {
  writeFileSync(path.join(home, '.docker', 'config.json'), '{ not json');
  const logs: string[] = [];
  assert.equal(
    await resolveCredential({ registry: 'registry.example.org', env: env(), homedir: home, log: (l) => logs.push(l) }),
    undefined,
  );
  assert.match(logs[0], /not valid JSON/);
});

test('a config.json whose fields are of another type is ignored with a warning naming the field, as docker does', async () => {
  // (docker warns "Error loading config file" and goes on without it; these once ended in
  // "Cannot read properties of null" or Buffer.from's own words.)
  const host = 'registry.example.org';
  const cases: Array<[unknown, RegExp]> = [
    [{ auths: { [host]: { auth: 5 } } }, /auths\["registry\.example\.org"\]\.auth is a number, not a string/],
    [{ auths: { [host]: { username: 'u', password: {} } } }, /\.password is an object, not a string/],
    [{ auths: { [host]: { auth: 'dTpw', identitytoken: 5 } } }, /\.identitytoken is a number, not a string/],
    [{ auths: { [host]: 'x' } }, /auths\["registry\.example\.org"\] is a string, not an object/],
    [{ auths: 5 }, /auths is a number, not an object/],
    [{ credsStore: {} }, /credsStore is an object, not a string/],
    [{ credHelpers: { [host]: 5 } }, /credHelpers\["registry\.example\.org"\] is a number, not a string/],
  ];
  for (const [cfg, re] of cases) {
    writeDockerConfig(cfg);
    const logs: string[] = [];
    const c = await resolveCredential({ registry: host, env: env(), homedir: home, log: (l) => logs.push(l) });
    assert.equal(c, undefined, JSON.stringify(cfg));
    assert.equal(logs.length, 1, `${JSON.stringify(cfg)}: ${logs.join(' | ')}`);
    assert.match(logs[0], /^warning: .*config\.json: /);
    assert.match(logs[0], re);
    assert.match(logs[0], /; ignoring it$/);
  }
  // A null entry is no entry (Go leaves the map's value empty): the others still count.
  const pw = secret();
  writeDockerConfig({ auths: { 'other.example.org': null, [`https://${host}`]: { username: 'u', password: pw } } });
  const logs: string[] = [];
  const c = await resolveCredential({ registry: host, env: env(), homedir: home, log: (l) => logs.push(l) });
  assert.deepEqual(c, { username: 'u', password: pw, source: '~/.docker/config.json' });
  assert.deepEqual(logs, []);
});

test('a helper that never stops printing is stopped past 1 MiB, with a warning', async () => {
  const file = path.join(bin, 'docker-credential-chatty');
  writeFileSync(file, '#!/bin/sh\nexec yes\n');
  chmodSync(file, 0o755);
  writeDockerConfig({ credsStore: 'chatty' });
  const logs: string[] = [];
  const t0 = Date.now();
  const c = await resolveCredential({
    registry: 'registry.example.org',
    env: env(),
    homedir: home,
    log: (l) => logs.push(l),
    helperTimeoutMs: 20_000,
  });
  assert.equal(c, undefined);
  assert.match(logs.join('\n'), /docker-credential-chatty could not run \(it printed more than 1024 KiB\)/);
  assert.ok(Date.now() - t0 < 10_000, `${Date.now() - t0} ms`);
});
