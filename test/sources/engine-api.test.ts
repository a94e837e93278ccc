/**
 * The Engine API client against an HTTP server that speaks the Engine's protocol on a unix
 * socket (the real daemon is in test/integration): requests as the daemon expects them, its
 * error answers as one-line errors, the registry credentials header, and the SSH transport the
 * docker CLI uses (`ssh HOST docker system dial-stdio`), with a stand-in `ssh` on PATH that joins
 * its stdio to the socket.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { LayerlensError } from '../../src/errors/index.js';
import { describeDaemonError } from '../../src/sources/docker/client.js';
import { EngineClient } from '../../src/sources/docker/engine-api.js';

const dir = mkdtempSync(path.join(tmpdir(), 'layerlens-engine-'));
const sock = path.join(dir, 'docker.sock');
const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }> = [];
let server: http.Server;

before(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    const u = new URL(req.url!, 'http://docker');
    if (u.pathname === '/images/example.org/app:1/json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ Id: 'sha256:' + 'a'.repeat(64), Size: 1234 }));
    } else if (u.pathname === '/images/example.org/app:1/history') {
      res.end(JSON.stringify([{ CreatedBy: 'RUN x', Size: 0 }]));
    } else if (u.pathname.endsWith('/get')) {
      res.end(Buffer.alloc(2048, 7));
    } else if (u.pathname === '/images/create') {
      res.write('{"status":"Pulling from app"}\n');
      res.end('{"status":"Done"}\n');
    } else {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ message: `No such image: ${u.pathname.split('/')[2]}` }));
    }
  });
  await new Promise<void>((r) => server.listen(sock, r));
  // A stand-in ssh: records its arguments, then joins its stdin/stdout to the socket.
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    path.join(bin, 'ssh'),
    `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(path.join(dir, 'ssh-args'))}, JSON.stringify(process.argv.slice(2)));\nconst s = require('net').connect(${JSON.stringify(sock)});\nprocess.stdin.pipe(s); s.pipe(process.stdout);\n`,
  );
  chmodSync(path.join(bin, 'ssh'), 0o755);
  process.env.PATH = `${bin}:${process.env.PATH}`;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('inspect, history and export over the unix socket, names in the path as the CLI writes them', async () => {
  const c = new EngineClient({ url: `unix://${sock}`, origin: 'test', socketPath: sock });
  const img = c.image('example.org/app:1');
  assert.equal(((await img.inspect()) as { Size: number }).Size, 1234);
  assert.equal(((await img.history()) as unknown[]).length, 1);
  const body: Buffer[] = [];
  for await (const chunk of await img.export()) body.push(chunk as Buffer);
  assert.equal(Buffer.concat(body).length, 2048);
  assert.deepEqual(
    seen.slice(-3).map((s) => `${s.method} ${s.url}`),
    [
      'GET /images/example.org/app:1/json',
      'GET /images/example.org/app:1/history',
      'GET /images/example.org/app:1/get',
    ],
  );
});

test('a refused request is one line naming the daemon and the image', async () => {
  const ep = { url: `unix://${sock}`, origin: 'test', socketPath: sock };
  const c = new EngineClient(ep);
  const err = await c
    .image('nope:1')
    .inspect()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  const e = describeDaemonError(err, ep, 'docker', 'nope:1');
  assert.ok(e instanceof LayerlensError);
  assert.equal(e.code, 'IMAGE_NOT_FOUND');
  assert.equal(e.message, `nope:1 is not in the Docker daemon at unix://${sock}`);
  const other = describeDaemonError(err, ep, 'docker');
  assert.equal(other.message, `the Docker daemon at unix://${sock} answered 404: No such image: nope:1`);
});

test('pull: fromImage and platform in the query, credentials as the CLI sends them (X-Registry-Auth)', async () => {
  const c = new EngineClient({ url: `unix://${sock}`, origin: 'test', socketPath: sock });
  const stream = await c.pull('example.org/app:1', { platform: 'linux/arm64', auth: { username: 'u', password: 'p' } });
  let text = '';
  for await (const chunk of stream) text += chunk;
  assert.match(text, /"Done"/);
  const req = seen.at(-1)!;
  assert.equal(req.url, '/images/create?fromImage=example.org%2Fapp%3A1&platform=linux%2Farm64');
  const auth = JSON.parse(Buffer.from(String(req.headers['x-registry-auth']), 'base64url').toString());
  assert.deepEqual(auth, { username: 'u', password: 'p' });
});

test('ssh://: the conversation runs over `ssh … HOST docker system dial-stdio`', async () => {
  const c = new EngineClient({
    url: 'ssh://deploy@box:2222',
    origin: 'test',
    protocol: 'ssh',
    host: 'box',
    port: 2222,
    username: 'deploy',
  });
  assert.equal(((await c.image('example.org/app:1').inspect()) as { Size: number }).Size, 1234);
  const args = JSON.parse(readFileSync(path.join(dir, 'ssh-args'), 'utf8'));
  assert.deepEqual(args.slice(-9), ['-l', 'deploy', '-p', '2222', '--', 'box', 'docker', 'system', 'dial-stdio']);
  assert.ok(args.includes('BatchMode=yes'), 'ssh never prompts');
  // ssh failing (no such host here): one line that says ssh failed, with ssh's own words.
  const ep = { url: 'ssh://nobody@missing', origin: 'test', protocol: 'ssh' as const, host: 'missing', port: 22 };
  process.env.PATH = `/nonexistent-bin-dir`;
  const err = await new EngineClient(ep)
    .image('x')
    .inspect()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  process.env.PATH = `${path.join(dir, 'bin')}:/usr/bin:/bin`;
  const e = describeDaemonError(err, ep, 'docker');
  assert.equal(e.code, 'DAEMON_UNREACHABLE');
  assert.match(
    e.message,
    /cannot reach the Docker daemon at ssh:\/\/nobody@missing: ssh to missing failed: the ssh command is not installed/,
  );
});
