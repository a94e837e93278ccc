/**
 * Typed worker modules (src/engine/worker-thread.ts) started from their URL under the test
 * runner (the .ts source, tsx registered in the thread): the round trip, the ready handshake, the
 * owner's signal to fall back when a thread never loads or stops, and a thread started early (by
 * the launcher) taken over with what it said before.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { threadId, type Worker } from 'node:worker_threads';
import { startEarly, startWorker } from '../../src/engine/worker-thread.js';
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

/** The thread started early for `url` and not taken over yet (kept on the process by worker-thread.ts). */
function earlyThread(url: URL): Worker | undefined {
  const early = (globalThis as Record<symbol, Map<string, { worker: Worker }> | undefined>)[
    Symbol.for('layerlens.early-workers')
  ];
  return early?.get(url.href)?.worker;
}

/** The early thread of `url` says `event` (held meanwhile: an early thread holds nothing open). */
async function heard(url: URL, event: 'message' | 'exit'): Promise<void> {
  const w = earlyThread(url);
  assert.ok(w, 'started early');
  w.ref();
  await new Promise((r) => w.once(event, r));
  w.unref();
}

/** Wait until `f()` is true (a thread's boot under the test runner takes a while). */
async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 10));
}

test('a thread started early is taken over once loaded: its ready message was kept for the owner', {
  timeout: 30_000,
}, async () => {
  const url = new URL('../support/echo-thread.js', import.meta.url);
  startEarly({ url, offSwitch: 'LAYERLENS_TEST_NO_ECHO' });
  // It loads and says it is ready before anyone takes it over (heard here beside the recording).
  const t0 = Date.now();
  await heard(url, 'message');
  const got: FromEcho[] = [];
  let stopped: Error | undefined;
  const c = startWorker<ToEcho, FromEcho>(url, { message: (m) => got.push(m), stop: (e) => (stopped = e) });
  assert.ok(c);
  assert.equal(c.ready, true, `ready at once: the thread said so before it was taken over (${Date.now() - t0} ms)`);
  c.hold();
  c.post({ n: 4 });
  await until(() => got.length > 0);
  c.release();
  assert.deepEqual(
    got.map((m) => m.doubled),
    [8],
  );
  // Taken once: the next start of that URL is a thread of its own.
  const other = startWorker<ToEcho, FromEcho>(url, { message: () => {}, stop: () => {} });
  assert.ok(other && other !== c);
  assert.equal(await other.whenReady(), true);
  await other.terminate();
  await c.terminate();
  assert.ok(stopped);
});

test('a thread started early that never loads: the owner who takes it over hears of it', {
  timeout: 30_000,
}, async () => {
  const url = new URL('../support/no-such-thread.js', import.meta.url);
  startEarly({ url, offSwitch: 'LAYERLENS_TEST_NO_ECHO' });
  await heard(url, 'exit');
  let stopped: Error | undefined;
  const c = startWorker<ToEcho, FromEcho>(url, {
    message: () => assert.fail('no message expected'),
    stop: (e) => (stopped = e),
  });
  assert.ok(c);
  assert.equal(await c.whenReady(), false);
  assert.ok(stopped, 'the failure it had before it was taken over reaches the owner');
});

test('no thread is started early when its off switch is set', { timeout: 30_000 }, () => {
  const url = new URL('../support/echo-thread.js', import.meta.url);
  process.env.LAYERLENS_TEST_NO_ECHO = '1';
  try {
    startEarly({ url, offSwitch: 'LAYERLENS_TEST_NO_ECHO' });
  } finally {
    delete process.env.LAYERLENS_TEST_NO_ECHO;
  }
  assert.equal(earlyThread(url), undefined);
});
