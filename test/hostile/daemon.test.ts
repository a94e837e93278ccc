/**
 * A daemon socket that accepts the connection and never answers (a wedged dockerd, a socket
 * proxy that hangs): `--timeout` bounds the wait for the image's description as it bounds a
 * registry request, and the one line says which daemon, where, and how to change the wait.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
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

/**
 * A daemon's description of an image (inspect and history answers) of another shape than the
 * Engine's, or not JSON, or larger than any image's: one line naming the field or the answer,
 * never JavaScript's own words ("Cannot read properties of null", "Invalid time value") nor the
 * answer's bytes.
 */
const ID = `sha256:${'a'.repeat(64)}`;
const ANSWERS: Array<{ label: string; inspect: string; history: string; line: RegExp }> = [
  {
    label: 'inspect is null',
    inspect: 'null',
    history: '[]',
    line: /image description: the answer is null, not an object$/,
  },
  {
    label: 'RootFS.Layers a number',
    inspect: JSON.stringify({ Id: ID, RootFS: { Layers: 5 } }),
    history: '[]',
    line: /RootFS\.Layers is a number, not a list of strings$/,
  },
  {
    label: 'RepoDigests a number',
    inspect: JSON.stringify({ Id: ID, RepoDigests: 5 }),
    history: '[]',
    line: /RepoDigests is a number, not a list of strings$/,
  },
  { label: 'Id missing', inspect: '{}', history: '[]', line: /image description: Id is missing, not a string$/ },
  {
    label: 'history an object',
    inspect: JSON.stringify({ Id: ID }),
    history: '{}',
    line: /history: the answer is an object, not a list$/,
  },
  {
    label: 'history [null]',
    inspect: JSON.stringify({ Id: ID }),
    history: '[null]',
    line: /history: \[0\] is null, not an object$/,
  },
  {
    label: 'history Created past any date',
    inspect: JSON.stringify({ Id: ID }),
    history: '[{"Created":1e300,"CreatedBy":"x"}]',
    line: /history: \[0\]\.Created is a number, not a time in seconds$/,
  },
  {
    label: 'history CreatedBy a number',
    inspect: JSON.stringify({ Id: ID }),
    history: '[{"Created":1,"CreatedBy":5}]',
    line: /history: \[0\]\.CreatedBy is a number, not a string$/,
  },
  {
    label: 'inspect not JSON',
    inspect: 'hello world',
    history: '[]',
    line: /GET \/images\/docker\.io\/team\/c8:v1\/json is not valid JSON \(syntax error\)$/,
  },
  {
    label: 'inspect larger than image metadata may be',
    inspect: JSON.stringify({ Id: ID, Comment: 'x'.repeat(4000) }),
    history: '[]',
    line: /GET \/images\/docker\.io\/team\/c9:v1\/json is more than 1000 bytes: too large to be image metadata \(limit 1000 bytes; set LAYERLENS_MAX_JSON_BYTES/,
  },
];
const shapes = path.join(dir, 'shapes.sock');
const describing = createHttpServer((req, res) => {
  const m = /^\/images\/docker\.io\/team\/c(\d+):v1\/(json|history)$/.exec(req.url ?? '');
  const a = m && ANSWERS[Number(m[1])];
  res.setHeader('content-type', 'application/json');
  if (!a) {
    res.statusCode = 404;
    res.end('{"message":"No such image"}');
  } else res.end(m[2] === 'json' ? a.inspect : a.history);
});
before(() => new Promise<void>((resolve) => describing.listen(shapes, resolve)));
after(() => describing.close());

test('a daemon describing an image in another shape: one line naming the field', async () => {
  for (const [i, a] of ANSWERS.entries()) {
    const r = await runCli(['inspect', '--source', 'docker', `team/c${i}:v1`], {
      env: { DOCKER_HOST: `unix://${shapes}`, LAYERLENS_MAX_JSON_BYTES: '1000' },
    });
    const line = assertOneLineError(r, a.label);
    assert.match(line, a.line, a.label);
    assert.ok(line.includes(shapes), `${a.label}: the line names the daemon: ${line}`);
    assert.ok(!/hello|Invalid time|Cannot read/.test(line), `${a.label}: ${line}`);
  }
});

/**
 * `--pull`'s progress stream, as a daemon (or whatever answers on DOCKER_HOST) may send it: a
 * status holding escape sequences reached the terminal as they were, a line of JSON null or an
 * `error` that is not a string ended in a JavaScript error, and a line that never ended was
 * kept whole (and searched again on every chunk) until the heap gave out.
 */
const PULLS: Record<string, (res: import('node:http').ServerResponse) => void> = {
  escapes: (res) => res.end(`${JSON.stringify({ id: 'l1', status: 'Pulling \u001b]0;owned\u0007 \u001b[31mred' })}\n`),
  'null-line': (res) => res.end('null\n{"status":"Done"}\n'),
  'error-number': (res) => res.end('{"error":5,"errorDetail":{"message":7}}\n'),
  endless: (res) => {
    const chunk = Buffer.alloc(1 << 20, 0x61);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  },
};
const pulls = path.join(dir, 'pulls.sock');
const pulling = createHttpServer((req, res) => {
  const m = /^\/images\/create\?fromImage=docker\.io%2Fteam%2F([a-z-]+)%3Av1/.exec(req.url ?? '');
  if (m && PULLS[m[1]]) PULLS[m[1]](res);
  else {
    res.statusCode = 404;
    res.end('{"message":"No such image"}');
  }
});
before(() => new Promise<void>((resolve) => pulling.listen(pulls, resolve)));
after(() => pulling.close());

test('a pull progress stream of hostile lines: escaped, one plain line, memory bounded', async () => {
  const run = (name: string) =>
    runCli(['inspect', '--source', 'docker', '--pull', `team/${name}:v1`], {
      env: { DOCKER_HOST: `unix://${pulls}` },
      killAfterMs: 60_000,
    });
  // (The progress lines come first; the command's own ends it.)
  const lastLine = (r: Awaited<ReturnType<typeof run>>, what: string) =>
    assertOneLineError({ ...r, stderr: r.stderr.trimEnd().split('\n').slice(-1).join('\n') }, what);
  const esc = await run('escapes');
  assert.ok(!/[\u001b\u0007]/.test(esc.stderr), `raw escape sequences on stderr: ${JSON.stringify(esc.stderr)}`);
  assert.ok(esc.stderr.includes('l1: Pulling \\e]0;owned\\x07 \\e[31mred'), esc.stderr);
  // (After the pull, the image is not there: that is the command's one line.)
  assert.match(lastLine(esc, 'escapes'), /is not in the Docker daemon/);
  assert.match(lastLine(await run('null-line'), 'null line'), /is not in the Docker daemon/);
  assert.match(
    lastLine(await run('error-number'), 'error 5'),
    /pull of docker\.io\/team\/error-number:v1 failed: unknown error$/,
  );
  const endless = await run('endless');
  assert.equal(endless.killed, false, 'a progress line without end was read until the CLI was killed');
  assert.match(
    lastLine(endless, 'endless line'),
    /pull of docker\.io\/team\/endless:v1 failed: the Docker daemon sent a progress line longer than 1 MiB$/,
  );
  assert.ok(endless.rssMb! < 250, `${Math.round(endless.rssMb!)} MB`);
});

/**
 * An export that begins and then stops (a wedged daemon, a proxy on DOCKER_HOST): it waited for
 * ever, --timeout notwithstanding. Once its bytes have begun, a pause of --timeout ends it.
 */
const exporting = path.join(dir, 'export.sock');
const exporter = createHttpServer((req, res) => {
  if (req.url?.endsWith('/json'))
    res.end(JSON.stringify({ Id: ID, Size: 4096, RootFS: { Layers: [`sha256:${'b'.repeat(64)}`] } }));
  else if (req.url?.endsWith('/history')) res.end('[]');
  else if (req.url?.endsWith('/get')) {
    res.write(Buffer.alloc(1024)); // the start of a tar, then nothing
    held.push(res.socket!);
  } else {
    res.statusCode = 404;
    res.end('{}');
  }
});
before(() => new Promise<void>((resolve) => exporter.listen(exporting, resolve)));
after(() => exporter.close());

test('an export that stops: --timeout ends it with one line', async () => {
  const r = await runCli(['inspect', '--source', 'docker', '--timeout', '2s', 'team/app:v1'], {
    env: { DOCKER_HOST: `unix://${exporting}` },
    killAfterMs: 60_000,
  });
  assert.equal(r.killed, false, 'the CLI waited for the export until it was killed');
  assert.match(
    assertOneLineError(r, 'stalled export'),
    /the Docker daemon at unix:\/\/.*export\.sock stopped sending its export of team\/app:v1 \(nothing for 2s; --timeout changes it\)$/,
  );
  assert.ok(r.ms < 30_000, `${Math.round(r.ms)} ms`);
});
