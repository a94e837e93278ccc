/**
 * `layerlens extract` through the real CLI entry, on a `docker save` archive written to disk with
 * known bytes: deleted and replaced files recovered by layer, hard links, binary and multi-chunk
 * content byte for byte, private modes, stdout only off a terminal, one-line errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { githubToken } from '../support/fake-secrets.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildTar, gzip } from '../../src/engine/build-tar.js';
import { docker25Save, membersToTar } from '../support/archives.js';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
// (tsx by its resolved URL: one test runs the CLI in another working directory.)
const tsx = import.meta.resolve('tsx');
const run = (args: string[], cwd?: string, input?: Buffer) =>
  spawnSync(process.execPath, ['--import', tsx, main, ...args], { encoding: 'buffer', maxBuffer: 1 << 26, cwd, input });

const dir = mkdtempSync(join(tmpdir(), 'layerlens-extract-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Fake content, generated per run.
const key = `-----BEGIN OPENSSH PRIVATE KEY-----\n${randomBytes(300).toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;
const v1 = `token = ${githubToken()}\n`;
const v2 = 'token = ${GITHUB_TOKEN}\n';
const binary = randomBytes(3 * 1024 * 1024 + 17); // spans many chunks of the layer stream; every byte value
const archive = join(dir, 'app.tar');

const ready = (async () => {
  const tars = await Promise.all([
    buildTar([
      { name: 'root/', type: 'directory', mode: 0o700 },
      { name: 'root/id_ed25519', content: key, mode: 0o600 },
      { name: 'etc/', type: 'directory' },
      { name: 'etc/app.conf', content: v1 },
      { name: 'usr/bin/', type: 'directory' },
      { name: 'usr/bin/helper', content: binary, mode: 0o4755 },
    ]),
    buildTar([
      { name: 'root/.wh.id_ed25519', content: '' },
      { name: 'etc/app.conf', content: v2 },
      { name: 'etc/app.link', type: 'link', linkname: 'etc/app.conf' },
      { name: 'etc/motd', type: 'symlink', linkname: '/etc/app.conf' },
    ]),
  ]);
  const built = docker25Save(tars);
  writeFileSync(archive, await membersToTar(built.members));
})();

test('a deleted file is recovered from the layer that still ships it; a replaced one by --layer', async () => {
  await ready;
  const out = join(dir, 'key');
  const r = run(['extract', archive, '/root/id_ed25519', '-o', out]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(readFileSync(out, 'utf8'), key);
  assert.equal(statSync(out).mode & 0o7777, 0o600, 'private: it may hold a secret');
  assert.match(r.stderr.toString(), /not in the final image: deleted in layer 1; extracted from layer 0/);
  assert.equal(r.stdout.length, 0, 'with -o nothing on stdout');

  // To stdout (a pipe here): the final version by default, the first by --layer 0.
  assert.equal(run(['extract', archive, '/etc/app.conf']).stdout.toString(), v2);
  assert.equal(run(['extract', archive, '/etc/app.conf', '--layer', '0']).stdout.toString(), v1);
  // In the layer that deletes it: the version it deletes.
  assert.equal(run(['extract', archive, '/root/id_ed25519', '--layer', '1']).stdout.toString(), key);
  // A hard link: its target's bytes, and it says so.
  const link = run(['extract', archive, '/etc/app.link']);
  assert.equal(link.stdout.toString(), v2);
  assert.match(link.stderr.toString(), /hard link: extracted its target \/etc\/app\.conf/);
});

test("sources read in one pass (stdin, a gzip'd archive): the bytes are kept while the layers stream", async () => {
  await ready;
  const tar = readFileSync(archive);
  const viaPipe = run(['extract', '-', '/root/id_ed25519'], undefined, tar);
  assert.equal(viaPipe.status, 0, viaPipe.stderr.toString());
  assert.equal(viaPipe.stdout.toString(), key);
  const gz = join(dir, 'app.tar.gz');
  writeFileSync(gz, gzip(tar));
  assert.equal(run(['extract', gz, '/etc/app.conf', '--layer', '0']).stdout.toString(), v1);
  assert.ok(run(['extract', gz, '/usr/bin/helper']).stdout.equals(binary));
  // A hard link's target is not kept (its name is known only at the end): said in one line.
  const link = run(['extract', '-', '/etc/app.link'], undefined, tar);
  assert.equal(link.status, 2);
  assert.match(
    link.stderr.toString(),
    /^layerlens: this image was read in one pass .* save it as an uncompressed file[^\n]*\n$/,
  );
  rmSync(gz);
});

test('binary content spanning many chunks comes out byte for byte, never setuid; an existing file is replaced whole', async () => {
  await ready;
  const out = join(dir, 'bin-out');
  writeFileSync(out, 'older and longer content '.repeat(100));
  const r = run(['extract', archive, '/usr/bin/helper', '--output', out]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.ok(readFileSync(out).equals(binary));
  assert.equal(statSync(out).mode & 0o7777, 0o600);
  assert.ok(run(['extract', archive, '/usr/bin/helper']).stdout.equals(binary));
  // Relative -o: against the working directory; no temporary file left beside it.
  const sub = mkdtempSync(join(dir, 'cwd-'));
  assert.equal(run(['extract', archive, '/etc/app.conf', '-o', 'conf'], sub).status, 0);
  assert.deepEqual(readdirSync(sub), ['conf']);
});

test('extract errors are one line with a non-zero exit, and write nothing', async () => {
  await ready;
  const cases: Array<[string[], RegExp]> = [
    [['extract', archive], /takes an image and a path/],
    [['extract', archive, 'etc/app.conf'], /must be absolute \(\/etc\/app\.conf\?\)/],
    [['extract', archive, '/nope'], /\/nope: not in any layer/],
    [['extract', archive, '/etc'], /\/etc in layer 1 is a directory/],
    [['extract', archive, '/etc/motd'], /is a symlink to \/etc\/app\.conf/],
    [['extract', archive, '/etc/app.link', '--layer', '0'], /not in layer 0 \(first added in layer 1\)/],
    [['extract', archive, '/etc/app.conf', '--layer', '2'], /--layer 2: the image has layers 0 to 1/],
    [['extract', archive, '/etc/app.conf', '--layer', '-1'], /--layer/],
    [['extract', archive, '/etc/app.conf', '-o', join(dir, 'no-such-dir', 'x')], /no such directory/],
    [['extract', archive, '/etc/app.conf', '-o', dir], /is a directory/],
    [['extract', join(dir, 'missing.tar'), '/etc/app.conf'], /no such file/],
  ];
  const before = readdirSync(dir).sort();
  for (const [args, message] of cases) {
    const r = run(args);
    const err = r.stderr.toString();
    assert.equal(r.status, 2, `${args.join(' ')}: ${err}`);
    assert.equal(err.trim().split('\n').length, 1, err);
    assert.match(err, /^layerlens: /);
    assert.match(err, message);
    assert.equal(r.stdout.length, 0);
  }
  assert.deepEqual(readdirSync(dir).sort(), before, 'nothing written');
});

test('extract refuses to write a file to a terminal (a real pty)', async (t) => {
  await ready;
  // script(1) gives the command a pseudo-terminal as stdout.
  const which = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' });
  if (which.status !== 0) return t.skip('script(1) is not installed');
  const cmd = `${process.execPath} --import ${tsx} ${main} extract ${archive} /etc/app.conf`;
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /stdout is a terminal.*use -o FILE or a pipe/);
  assert.ok(!r.stdout.includes('GITHUB_TOKEN'), 'the file was not written to the terminal');
});

test('a copy its own layer replaced is extracted by --layer and --entry, as its finding says', async () => {
  const { tar, file } = await import('../support/tar-craft.js');
  const first = `token=${githubToken()}\n`;
  const layered = join(dir, 'twice.tar');
  // The same name twice in one layer (tar -r): the layer's file system has the second.
  const built = docker25Save([tar([file('app/config.env', first), file('app/config.env', 'token=${TOKEN}\n')])]);
  writeFileSync(layered, await membersToTar(built.members));
  const scan = spawnSync(process.execPath, ['--import', tsx, main, 'scan', layered, '--format', 'json'], {
    encoding: 'utf8',
  });
  const finding = (
    JSON.parse(scan.stdout) as { findings: Array<{ ruleId: string; message: string; properties?: { entry?: number } }> }
  ).findings.find((f) => f.ruleId.startsWith('secret-github'))!;
  assert.equal(finding.properties?.entry, 0);
  assert.match(finding.message, /extract --layer 0 --entry 0/);
  const copy = run(['extract', layered, '/app/config.env', '--layer', '0', '--entry', '0']);
  assert.equal(copy.status, 0, copy.stderr.toString());
  assert.equal(copy.stdout.toString(), first);
  assert.match(copy.stderr.toString(), /at entry 0 of layer 0, which a later entry of the same layer replaced/);
  assert.equal(
    run(['extract', layered, '/app/config.env', '--layer', '0', '--entry', '1']).stdout.toString(),
    'token=${TOKEN}\n',
  );
  assert.equal(run(['extract', layered, '/app/config.env']).stdout.toString(), 'token=${TOKEN}\n');
  const wrong = run(['extract', layered, '/app/config.env', '--layer', '0', '--entry', '5']);
  assert.equal(wrong.status, 2);
  assert.match(
    wrong.stderr.toString(),
    /^layerlens: \/app\/config\.env: layer 0 holds no file at entry 5 \(its entries for it: 0, 1\)\n$/,
  );
  const alone = run(['extract', layered, '/app/config.env', '--entry', '0']);
  assert.equal(alone.status, 2);
  assert.match(alone.stderr.toString(), /--entry K goes with --layer N/);
});

test('an entry no runtime unpacks (tar type 7) is scanned and extracted by its entry, as its finding says', async () => {
  const { tar, file } = await import('../support/tar-craft.js');
  const token = `token=${githubToken()}\n`;
  const layered = join(dir, 'contiguous.tar');
  // Type '7' (contiguous file): Docker and containerd refuse the layer; GNU tar extracts it as a file.
  const built = docker25Save([tar([file('etc/ok.txt', 'fine\n'), file('app/secret.env', token, { typeflag: '7' })])]);
  writeFileSync(layered, await membersToTar(built.members));
  const scan = spawnSync(process.execPath, ['--import', tsx, main, 'scan', layered, '--format', 'json'], {
    encoding: 'utf8',
  });
  const findings = (
    JSON.parse(scan.stdout) as {
      findings: Array<{ ruleId: string; path: string; message: string; properties?: Record<string, unknown> }>;
    }
  ).findings;
  const secret = findings.find((f) => f.ruleId.startsWith('secret-github'))!;
  assert.equal(secret.path, '/app/secret.env');
  assert.equal(secret.properties?.refusedEntry, 'unhandled-type');
  assert.equal(secret.properties?.tarType, '7');
  assert.equal(secret.properties?.entry, 1);
  assert.match(secret.message, /refuse to unpack \(tar type '7', which GNU tar extracts as a file\)/);
  assert.match(secret.message, /extract --layer 0 --entry 1/);
  assert.ok(!scan.stdout.includes(token.trim().slice(6)), 'the token is masked');
  const got = run(['extract', layered, '/app/secret.env', '--layer', '0', '--entry', '1']);
  assert.equal(got.status, 0, got.stderr.toString());
  assert.equal(got.stdout.toString(), token);
  assert.match(
    got.stderr.toString(),
    /entry 1 of layer 0 \(\/app\/secret\.env\), which container runtimes refuse to unpack/,
  );
});

test('a superseded copy is read again from its layer by its entry when its bytes were not kept', async () => {
  const { tar, file } = await import('../support/tar-craft.js');
  const { ImageModel } = await import('../../src/engine/image.js');
  const { copyLayerFile } = await import('../../src/engine/layer-file.js');
  const { openImage } = await import('../../src/sources/open.js');
  const { PassThrough } = await import('node:stream');
  const layered = join(dir, 'reread.tar');
  const built = docker25Save([tar([file('a', 'one\n'), file('b', 'bee\n'), file('a', 'two\n')])]);
  writeFileSync(layered, await membersToTar(built.members));
  const model = new ImageModel();
  await model.load(await openImage(layered, { source: 'archive', pull: false, insecure: false, plainHttp: false }));
  const read = async (entry?: number) => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await copyLayerFile(model, 0, '/a', out, entry);
    return Buffer.concat(chunks).toString();
  };
  assert.equal(await read(0), 'one\n');
  assert.equal(await read(2), 'two\n');
  assert.equal(await read(), 'two\n');
});
