/**
 * Typed worker modules (src/engine/worker-thread.ts) started from their URL under the test
 * runner (the .ts source, tsx registered in the thread): the round trip, the ready handshake, and
 * the owner's signal to fall back when a thread never loads or stops.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { startWorker } from '../../src/engine/worker-thread.js';
import type { FromEcho, ToEcho } from '../support/echo-thread.js';

test('a typed round trip with a worker module started by URL', { timeout: 30_000 }, async () => {
  const got: FromEcho[] = [];
  let stopped: Error | undefined;
  const c = startWorker<ToEcho, FromEcho>(new URL('../support/echo-thread.js', import.meta.url), {
    message: (m) => got.push(m),
    stop: (e) => (stopped = e),
  });
  assert.ok(c);
  assert.equal(await c.whenReady(), true);
  c.hold();
  c.post({ n: 21 });
  while (got.length === 0) await new Promise((r) => setTimeout(r, 10));
  c.release();
  assert.equal(got[0].doubled, 42);
  assert.notEqual(got[0].thread, threadId, 'answered from another thread');
  assert.equal(stopped, undefined);
  await c.terminate();
  assert.ok(stopped, 'terminating reports the stop to the owner');
  assert.equal(c.alive, false);
});

test('a module that does not exist: ready is false and the owner hears of it (its cue to fall back)', {
  timeout: 30_000,
}, async () => {
  let stopped: Error | undefined;
  const c = startWorker<ToEcho, FromEcho>(new URL('../support/no-such-thread.js', import.meta.url), {
    message: () => assert.fail('no message expected'),
    stop: (e) => (stopped = e),
  });
  assert.ok(c, 'the thread itself starts; its module fails to load');
  assert.equal(await c.whenReady(), false);
  assert.ok(stopped);
});

test('a thread that throws: the owner hears of it', { timeout: 30_000 }, async () => {
  let stopped: Error | undefined;
  const c = startWorker<ToEcho, FromEcho>(new URL('../support/echo-thread.js', import.meta.url), {
    message: () => {},
    stop: (e) => (stopped = e),
  });
  assert.equal(await c!.whenReady(), true);
  c!.post({ crash: true });
  while (!stopped) await new Promise((r) => setTimeout(r, 10));
  assert.match(stopped.message, /asked to crash/);
});

test('idle workers never keep a process alive; one waited on does until it answers', { timeout: 60_000 }, () => {
  const load = `
    const f = await import(${JSON.stringify(new URL('../../src/sources/registry/fetch-worker.ts', import.meta.url).href)});
    const h = await import(${JSON.stringify(new URL('../../src/sources/file-hash-worker.ts', import.meta.url).href)});
    f.prewarmFetchWorker();
    h.prewarmHashWorker();
  `;
  for (const [script, out] of [
    [`${load} console.log('started');`, 'started'],
    [`${load} console.log(JSON.stringify([await f.fetchWorkerReady(), await h.hashWorkerReady()]));`, '[true,true]'],
  ]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.signal, null, 'exited on its own once the work was done');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), out);
  }
});

test('LAYERLENS_NO_HASH_WORKER=1 and LAYERLENS_NO_FETCH_WORKER=1 keep the work on the main thread', {
  timeout: 60_000,
}, () => {
  const script = `
    const f = await import(${JSON.stringify(new URL('../../src/sources/registry/fetch-worker.ts', import.meta.url).href)});
    const h = await import(${JSON.stringify(new URL('../../src/sources/file-hash-worker.ts', import.meta.url).href)});
    console.log(JSON.stringify([f.offThreadAvailable(), h.hashFileRange('/dev/null', 0, -1) === undefined]));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, LAYERLENS_NO_HASH_WORKER: '1', LAYERLENS_NO_FETCH_WORKER: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '[false,true]');
});
