/**
 * Docker/Podman endpoint resolution from real env + config files (temp DOCKER_CONFIG dirs), the
 * daemon's history mapping, and daemon failures on REAL sockets: a missing socket, a path that is
 * not a socket, and a socket the user may not open. The daemon itself is exercised against a real
 * dockerd in test/integration/sources.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LayerlensError } from '../../src/errors/index.js';
import { parseHostUrl, podmanEndpoints, resolveDockerEndpoint } from '../../src/sources/docker/endpoint.js';
import { historyFromApi, isMetadataStep } from '../../src/sources/docker/history.js';
import { daemonImageName, openDaemonImage } from '../../src/sources/docker/source.js';
import { mapHistory } from '../../src/engine/history.js';
import { openImage } from '../../src/sources/open.js';

/** Whether a user outside the owner and group can reach `dir` (every directory above it searchable). */
function othersCanEnter(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-docker-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = path.join(tmp, `h${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

function writeContext(
  configDir: string,
  name: string,
  host: string,
  opts: { tls?: boolean; skipVerify?: boolean } = {},
): string {
  const id = createHash('sha256').update(name).digest('hex');
  const metaDir = path.join(configDir, 'contexts', 'meta', id);
  mkdirSync(metaDir, { recursive: true });
  writeFileSync(
    path.join(metaDir, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: {},
      Endpoints: { docker: { Host: host, SkipTLSVerify: !!opts.skipVerify } },
    }),
  );
  if (opts.tls) {
    const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
    mkdirSync(tlsDir, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(tlsDir, f), `${name}-${f}`);
  }
  return id;
}

function throwsWith(fn: () => unknown, code: string, re: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof LayerlensError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, re);
    return;
  }
  assert.fail(`expected ${code}`);
}

describe('Docker endpoint resolution', () => {
  test('no env, no config: the default socket', () => {
    const ep = resolveDockerEndpoint({ env: {}, home: fresh() });
    assert.equal(ep.url, 'unix:///var/run/docker.sock');
    assert.equal(ep.socketPath, '/var/run/docker.sock');
    assert.equal(ep.origin, 'default');
  });
  test('DOCKER_HOST unix:// and tcp:// (plain, TLS, ports), ssh://', () => {
    const home = fresh();
    assert.equal(resolveDockerEndpoint({ env: { DOCKER_HOST: 'unix:///run/x.sock' }, home }).socketPath, '/run/x.sock');
    const plain = resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://10.1.2.3' }, home });
    assert.deepEqual(
      [plain.protocol, plain.host, plain.port, plain.url],
      ['http', '10.1.2.3', 2375, 'tcp://10.1.2.3:2375'],
    );
    const certs = fresh();
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(certs, f), `env-${f}`);
    const tls = resolveDockerEndpoint({
      env: { DOCKER_HOST: 'tcp://docker.example.org', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs },
      home,
    });
    assert.deepEqual(
      [tls.protocol, tls.port, tls.tls?.verify, tls.tls?.ca?.toString(), tls.tls?.key?.toString()],
      ['https', 2376, true, 'env-ca.pem', 'env-key.pem'],
    );
    // Without DOCKER_CERT_PATH the certs come from the config dir (~/.docker).
    const dotDocker = path.join(home, '.docker');
    mkdirSync(dotDocker, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(dotDocker, f), `home-${f}`);
    assert.equal(
      resolveDockerEndpoint({
        env: { DOCKER_HOST: 'tcp://h:1234', DOCKER_TLS_VERIFY: '1' },
        home,
      }).tls?.cert?.toString(),
      'home-cert.pem',
    );
    const ssh = resolveDockerEndpoint({ env: { DOCKER_HOST: 'ssh://me@box.example.org:2222' }, home });
    assert.deepEqual([ssh.protocol, ssh.username, ssh.host, ssh.port], ['ssh', 'me', 'box.example.org', 2222]);
    assert.equal(parseHostUrl('tcp://[::1]:2375', 'x').url, 'tcp://[::1]:2375');
  });
  test('bad DOCKER_HOST and missing TLS files are one-line config errors', () => {
    throwsWith(
      () => resolveDockerEndpoint({ env: { DOCKER_HOST: 'tcp://' }, home: fresh() }),
      'BAD_CONFIG',
      /DOCKER_HOST: invalid daemon address "tcp:\/\/"/,
    );
    throwsWith(
      () => resolveDockerEndpoint({ env: { DOCKER_HOST: 'fd://' }, home: fresh() }),
      'BAD_CONFIG',
      /unsupported daemon address scheme "fd"/,
    );
    throwsWith(
      () =>
        resolveDockerEndpoint({
          env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: path.join(tmp, 'none') },
          home: fresh(),
        }),
      'BAD_CONFIG',
      /TLS is on but .*none\/ca\.pem cannot be read/,
    );
  });
  test('docker contexts: currentContext in config.json, TLS material, DOCKER_CONFIG', () => {
    const home = fresh();
    const cfg = path.join(home, '.docker');
    mkdirSync(cfg, { recursive: true });
    writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    writeContext(cfg, 'remote', 'tcp://remote.example.org:2376', { tls: true });
    const ep = resolveDockerEndpoint({ env: {}, home });
    assert.equal(ep.url, 'tcp://remote.example.org:2376');
    assert.equal(ep.origin, 'docker context "remote"');
    assert.equal(ep.protocol, 'https');
    assert.equal(ep.tls?.ca?.toString(), 'remote-ca.pem');
    assert.equal(ep.tls?.verify, true);

    const other = fresh();
    writeFileSync(path.join(other, 'config.json'), JSON.stringify({ currentContext: 'sock' }));
    writeContext(other, 'sock', 'unix:///run/other.sock');
    assert.equal(resolveDockerEndpoint({ env: { DOCKER_CONFIG: other }, home }).socketPath, '/run/other.sock');
  });
  test('precedence: DOCKER_HOST > DOCKER_CONTEXT > currentContext; "default" is the default socket', () => {
    const home = fresh();
    const cfg = path.join(home, '.docker');
    mkdirSync(cfg, { recursive: true });
    writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'a' }));
    writeContext(cfg, 'a', 'unix:///run/a.sock');
    writeContext(cfg, 'b', 'unix:///run/b.sock', { skipVerify: true });
    assert.equal(resolveDockerEndpoint({ env: {}, home }).socketPath, '/run/a.sock');
    assert.equal(resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'b' }, home }).socketPath, '/run/b.sock');
    assert.equal(
      resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'b', DOCKER_HOST: 'unix:///run/h.sock' }, home }).socketPath,
      '/run/h.sock',
    );
    assert.equal(
      resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'default' }, home }).socketPath,
      '/var/run/docker.sock',
    );
  });
  test('a missing or broken context is a one-line error naming the file', () => {
    const home = fresh();
    throwsWith(
      () => resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'ghost' }, home }),
      'BAD_CONFIG',
      /docker context "ghost" \(from DOCKER_CONTEXT\) not found: no .*contexts\/meta\/[0-9a-f]{64}\/meta\.json/,
    );
    const cfg = path.join(home, '.docker');
    mkdirSync(cfg, { recursive: true });
    writeFileSync(path.join(cfg, 'config.json'), '{broken');
    throwsWith(() => resolveDockerEndpoint({ env: {}, home }), 'BAD_CONFIG', /config\.json is not valid JSON/);
  });
  test('Podman sockets: CONTAINER_HOST, rootless under XDG_RUNTIME_DIR, only existing ones', () => {
    const xdg = fresh();
    mkdirSync(path.join(xdg, 'podman'));
    const none = podmanEndpoints({ env: { XDG_RUNTIME_DIR: xdg } });
    assert.ok(none.looked.includes(`unix://${xdg}/podman/podman.sock`));
    assert.ok(none.looked.includes('unix:///run/podman/podman.sock'));
    assert.ok(!none.found.some((e) => e.socketPath?.startsWith(xdg)));
    writeFileSync(path.join(xdg, 'podman', 'podman.sock'), '');
    assert.equal(podmanEndpoints({ env: { XDG_RUNTIME_DIR: xdg } }).found[0].socketPath, `${xdg}/podman/podman.sock`);
    const ch = podmanEndpoints({ env: { CONTAINER_HOST: 'tcp://pod.example.org:8080' } });
    assert.equal(ch.found[0].url, 'tcp://pod.example.org:8080');
  });
});

describe('daemon history', () => {
  test('newest-first API history → oldest-first config history; empty steps inferred', () => {
    const api = [
      { Id: 'sha256:top', Created: 1700000300, CreatedBy: '/bin/sh -c #(nop)  USER 1000', Size: 0 },
      { Id: '<missing>', Created: 1700000200, CreatedBy: '/bin/sh -c rm /x', Size: 0 },
      { Id: '<missing>', Created: 1700000150, CreatedBy: '/bin/sh -c #(nop)  ENV A=b', Size: 0 },
      { Id: '<missing>', Created: 1700000100, CreatedBy: '/bin/sh -c #(nop) COPY file:abc in /x ', Size: 12 },
      { Id: '<missing>', Created: 1700000000, CreatedBy: 'WORKDIR /app', Size: 0, Comment: 'buildkit.dockerfile.v0' },
    ];
    // 2 layers: the COPY and the 0-byte `rm` (a whiteout-only layer); WORKDIR made none.
    const h = historyFromApi(api, 2);
    assert.deepEqual(
      h.map((e) => [e.created_by, !!e.empty_layer]),
      [
        ['WORKDIR /app', true],
        ['/bin/sh -c #(nop) COPY file:abc in /x ', false],
        ['/bin/sh -c #(nop)  ENV A=b', true],
        ['/bin/sh -c rm /x', false],
        ['/bin/sh -c #(nop)  USER 1000', true],
      ],
    );
    assert.equal(h[0].created, '2023-11-14T22:13:20.000Z');
    const mapped = mapHistory({
      rootfs: { type: 'layers', diff_ids: ['sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64)] },
      history: h,
    });
    assert.deepEqual(
      mapped.map((m) => m.layerIndex),
      [null, 0, null, 1, null],
    );
    assert.ok(isMetadataStep('EXPOSE map[22/tcp:{}]'));
    assert.ok(!isMetadataStep('RUN |1 X=y /bin/sh -c make'));
  });
  test('names sent to the daemon: canonical references, image IDs as typed', () => {
    assert.equal(daemonImageName('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(
      daemonImageName('example.org:5000/a/b@sha256:' + 'c'.repeat(64)),
      'example.org:5000/a/b@sha256:' + 'c'.repeat(64),
    );
    assert.equal(daemonImageName('6ff5dbc603da'), '6ff5dbc603da');
  });
});

describe('daemon failures on real sockets', () => {
  test('no socket at the path: unreachable, saying where it looked', async () => {
    const sock = path.join(tmp, 'missing.sock');
    await assert.rejects(
      openDaemonImage('app:1', {
        kind: 'docker',
        endpoint: { url: `unix://${sock}`, origin: 'test', socketPath: sock },
      }),
      (err: LayerlensError) => {
        assert.equal(err.code, 'DAEMON_UNREACHABLE');
        assert.equal(
          err.message,
          `cannot reach the Docker daemon at unix://${sock} (connect ENOENT); is it running? set DOCKER_HOST or use --source archive/oci/registry`,
        );
        return true;
      },
    );
  });
  test('a path that is not a socket: connection refused', async () => {
    const f = path.join(tmp, 'plain-file.sock');
    writeFileSync(f, '');
    await assert.rejects(
      openDaemonImage('app:1', { kind: 'podman', endpoint: { url: `unix://${f}`, origin: 'test', socketPath: f } }),
      (err: LayerlensError) => {
        assert.equal(err.code, 'DAEMON_UNREACHABLE');
        assert.match(
          err.message,
          /^cannot reach the Podman service at unix:\/\/.*plain-file\.sock \(connect ECONNREFUSED\)/,
        );
        return true;
      },
    );
  });
  test('auto mode with no daemon: one line that says where it looked', async () => {
    const sock = path.join(tmp, 'absent.sock');
    const saved = { ...process.env };
    process.env.DOCKER_HOST = `unix://${sock}`;
    process.env.XDG_RUNTIME_DIR = path.join(tmp, 'no-xdg');
    delete process.env.CONTAINER_HOST;
    try {
      // An image ID never goes to a registry, so this does not depend on the registry source.
      await assert.rejects(
        openImage('sha256:' + 'e'.repeat(64), { source: 'auto', pull: false, insecure: false, plainHttp: false }),
        (err: LayerlensError) => {
          assert.ok(err instanceof LayerlensError);
          assert.match(
            err.message,
            new RegExp(
              `could not be looked up: the local Docker daemon at unix://${sock} is not reachable \\(connect ENOENT\\).*; use --source registry`,
            ),
          );
          assert.ok(!err.message.includes('\n'));
          return true;
        },
      );
      await assert.rejects(
        openImage('not a//valid ref', { source: 'docker', pull: false, insecure: false, plainHttp: false }),
        (err: LayerlensError) => err.code === 'BAD_REFERENCE' && /invalid reference/.test(err.message),
      );
    } finally {
      process.env = saved;
    }
  });
  test('permission denied on the socket: said so, with the path', {
    skip:
      process.getuid?.() !== 0
        ? 'needs root to run the client as another user'
        : !othersCanEnter(fileURLToPath(new URL('../..', import.meta.url)))
          ? 'the checkout is in a directory other users cannot enter (the client runs as nobody)'
          : undefined,
  }, async () => {
    const dir = fresh();
    chmodSync(dir, 0o755);
    const sock = path.join(dir, 'docker.sock');
    const server = net.createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(sock, r));
    chmodSync(sock, 0o600); // root only
    try {
      // The client runs as nobody; it must get EACCES from connect(2) on the real socket.
      const here = path.dirname(fileURLToPath(import.meta.url));
      const script = `
        import { openDaemonImage } from ${JSON.stringify(path.join(here, '../../src/sources/docker/source.ts'))};
        try { await openDaemonImage('app:1', { kind: 'docker', endpoint: { url: 'unix://${sock}', origin: 't', socketPath: '${sock}' } }); console.log('no error'); }
        catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
      const r = await new Promise<ReturnType<typeof spawnSync>>((resolve) =>
        resolve(
          spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
            uid: 65534,
            gid: 65534,
            cwd: path.join(here, '../..'),
            env: { ...process.env, HOME: tmp, TSX_DISABLE_CACHE: '1' },
            encoding: 'utf8',
            timeout: 60_000,
          }),
        ),
      );
      const out = JSON.parse(String(r.stdout).trim().split('\n').pop() ?? '{}');
      assert.equal(out.code, 'DAEMON_PERMISSION', String(r.stderr));
      assert.match(
        out.message,
        new RegExp(
          `^permission denied on the Docker daemon socket ${sock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; add your user to the docker group`,
        ),
      );
    } finally {
      server.close();
    }
  });
});
