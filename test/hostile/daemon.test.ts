/**
 * A daemon socket that accepts the connection and never answers (a wedged dockerd, a socket
 * proxy that hangs): `--timeout` bounds the wait for the image's description as it bounds a
 * registry request, and the one line says which daemon, where, and how to change the wait.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assertOneLineError, runCli } from '../support/hostile-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'layerlens-daemon-'));
const sock = path.join(dir, 'wedged.sock');
const held: Socket[] = [];
const server = createServer((s) => {
  held.push(s); // read the request, never answer
  s.resume();
});
before(() => new Promise<void>((resolve) => server.listen(sock, resolve)));
after(() => {
  for (const s of held) s.destroy();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const [given, said] of [
  ['1500ms', '1500ms'],
  ['2s', '2s'],
] as const) {
  test(`a daemon that never answers: --timeout ${given} ends the wait with one line naming it`, async () => {
    const r = await runCli(['inspect', '--source', 'docker', '--timeout', given, 'team/app:v1'], {
      env: { DOCKER_HOST: `unix://${sock}` },
      killAfterMs: 30_000,
    });
    assert.equal(r.killed, false, 'the CLI waited for the daemon until it was killed');
    const line = assertOneLineError(r, 'wedged daemon');
    assert.match(line, new RegExp(`did not answer within ${said} \\(--timeout changes it\\)`));
    assert.ok(line.includes(sock), line);
  });
}
