/**
 * A closed stdout (issue 13 item 4): `layerlens inspect --json | head -c 100` once ended in an
 * unhandled EPIPE stack trace and exit 1, which a CI script reads as "findings found". Every
 * command now ends quietly, with nothing but its own warnings on stderr and status 141 (what a shell reports for a
 * writer killed by SIGPIPE), whether the reader is gone before the first byte or after some.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { sha256 } from '../../src/engine/build-tar.js';
import { CLI, runCli } from '../support/hostile-cli.js';
import { layoutOfBlobs } from '../support/hostile-shapes.js';
import { manyFiles } from '../support/tar-craft.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-output-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const COMMANDS = [
  ['inspect', '--demo'],
  ['inspect', '--demo', '--json'],
  ['scan', '--demo'],
  ['scan', '--demo', '--format', 'json'],
  ['scan', '--demo', '--format', 'sarif', '--fail-on', 'high'],
  ['extract', '--demo', '/app/config.yml'],
  ['--help'],
  ['--version'],
  ['scan', '--help'],
  ['registry', 'audit', '--help'],
];

test('every command, its stdout closed before it writes: status 141, nothing on stderr but warnings', async () => {
  for (const args of COMMANDS) {
    const r = await runCli(args, { closeStdout: true, killAfterMs: 60_000 });
    // (scan warns when there is no vulnerability database: that line is its own, not the pipe's.)
    const other = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('layerlens: warning: '));
    assert.deepEqual(other, [], `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.status, 141, `${args.join(' ')}: status ${r.status} (${r.signal})`);
  }
});

test('inspect --json | head -c 100: the reader stops after 100 bytes, the writer ends quietly with 141', async () => {
  // ~6 MB of JSON: far more than a pipe holds, so the writer is still writing when the reader goes.
  const t = manyFiles(30_000);
  const image = layoutOfBlobs(path.join(tmp, 'many'), [
    { blob: t, diffId: sha256(t), mediaType: 'application/vnd.oci.image.layer.v1.tar' },
  ]);
  const child = spawn(process.execPath, [...CLI, 'inspect', '--json', image], { stdio: ['ignore', 'pipe', 'pipe'] });
  let got = Buffer.alloc(0);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.on('data', (d: Buffer) => {
    got = Buffer.concat([got, d]);
    if (got.length >= 100) child.stdout.destroy();
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  assert.ok(got.toString().startsWith('{\n  "image": {'));
  assert.equal(stderr, '');
  assert.equal(status, 141);
});
