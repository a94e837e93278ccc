/**
 * A closed stdout (issue 13 item 4): `layerlens inspect --json | head -c 100` once ended in an
 * unhandled EPIPE stack trace and exit 1, which a CI script reads as "findings found". Every
 * command now ends quietly, with nothing on stderr and status 141 (what a shell reports for a
 * writer killed by SIGPIPE), whether the reader is gone before the first byte or after some.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { CLI, runCli } from '../support/hostile-cli.js';

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

test('every command, its stdout closed before it writes: status 141, nothing on stderr', async () => {
  for (const args of COMMANDS) {
    const r = await runCli(args, { closeStdout: true, killAfterMs: 60_000 });
    assert.equal(r.stderr, '', `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.status, 141, `${args.join(' ')}: status ${r.status} (${r.signal})`);
  }
});

test('inspect --json | head -c 100: the reader stops after 100 bytes, the writer ends quietly with 141', async () => {
  const child = spawn(process.execPath, [...CLI, 'inspect', '--demo', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
