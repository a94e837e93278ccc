/**
 * Worker threads as typed modules: the host starts one with `startWorker(new URL('./x-thread.js',
 * import.meta.url), …)` and the thread's module calls `workerPort()`; both ends are typed by one
 * protocol (messages In to the thread, Out back), declared once beside the worker.
 *
 * Why here and not inline: a worker whose source sat in a template string was never type-checked
 * (a backslash bug came from it) and its messages had no types.
 *
 * Three things every layerlens worker needs, kept in one place:
 * - Fallback: `startWorker` returns null when a thread cannot be made, and `whenReady()` resolves false
 *   when the thread stops before its module has loaded (a missing file, a broken install): the
 *   owner then does the work on the main thread.
 * - Idle threads never keep the process alive: the worker is unref'd, and `hold()`/`release()`
 *   ref it only while a reply is awaited.
 * - The thread gets none of node's own command-line flags (a worker inherits them by default, and
 *   some, such as --input-type or a loader, make a worker file fail to load): it needs none.
 * - Running from sources: under the test runner the module is `x-thread.ts` beside the host's
 *   `.ts` file, and tsx's loader is not inherited by worker threads (Node 20 runs module hooks per
 *   thread): the thread registers tsx itself before importing it. In dist/ the `.js` file is
 *   there and started as is.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker, type Transferable } from 'node:worker_threads';

/**
 * A worker thread's module and the environment variable that keeps it off (set to 1: its work is
 * done on the main thread), declared once beside its owner: for the threads the CLI's launcher
 * starts, in a `*-thread-url.ts` it imports without the owner's code (`startEarly`).
 */
export interface ThreadModule {
  url: URL;
  offSwitch: string;
}

const switchedOff = (thread: ThreadModule): boolean => process.env[thread.offSwitch] === '1';

/** The first message of every thread: its module loaded and listens. */
const READY = 'layerlens:worker-ready';

export interface WorkerEvents<Out> {
  message(m: Out): void;
  /** The thread stopped (crashed, or never loaded): what was in flight is lost. */
  stop(err: Error): void;
}

/** The host's end of a worker thread. */
export class WorkerChannel<In, Out> {
  private readonly loaded: Promise<boolean>;
  private holds = 0;
  private stopped = false;
  /** terminate() was called: the thread stays held until it has ended. */
  private ending = false;
  private loadedYet = false;
  private setReady!: (ok: boolean) => void;

  constructor(
    private readonly worker: Worker,
    events: WorkerEvents<Out>,
  ) {
    this.loaded = new Promise((resolve) => (this.setReady = resolve));
    worker.on('message', (m: Out | typeof READY) => {
      if (m === READY) {
        this.loadedYet = true;
        this.setReady(true);
      } else events.message(m);
    });
    const stop = (err: Error) => {
      if (this.stopped) return;
      this.stopped = true;
      this.setReady(false);
      events.stop(err);
    };
    worker.on('error', stop);
    worker.on('exit', (code) => stop(new Error(`worker thread exited (code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
  }

  /** True once the thread's module has loaded; false when it stopped before that (tests). */
  whenReady(): Promise<boolean> {
    // Held while waiting: the caller waits on the thread.
    this.hold();
    return this.loaded.finally(() => this.release());
  }

  /** The thread's module has loaded and it is running (known without waiting, unlike `whenReady`). */
  get ready(): boolean {
    return this.loadedYet && !this.stopped;
  }

  get alive(): boolean {
    return !this.stopped;
  }

  post(m: In, transfer?: readonly Transferable[]): void {
    if (!this.stopped) this.worker.postMessage(m, transfer);
  }

  /** Keep the process alive until the matching release(): a reply is awaited. */
  hold(): void {
    if (this.holds++ === 0) this.worker.ref();
  }

  release(): void {
    if (this.holds > 0 && --this.holds === 0 && !this.ending) this.worker.unref();
  }

  /** Let the process exit even while replies are pending (the command is over). */
  unref(): void {
    this.worker.unref();
  }

  /** Stop the thread (tests of the fallback; shutdown). Pending work is lost: `stop` is called. */
  terminate(): Promise<number> {
    // Held until it has ended, whatever replies still come in (each one releases a hold): an
    // unref'd thread's end would not keep the process alive for the caller to learn of it.
    this.ending = true;
    this.worker.ref();
    return this.worker.terminate();
  }
}

/**
 * Start the worker module at `url` (a `.js` file beside the caller; its `.ts` source under the
 * test runner). Null when no thread can be made here. A thread the launcher started for `url`
 * (`startEarly`) is taken over instead, with what it has said so far.
 */
export function startWorker<In, Out>(url: URL, events: WorkerEvents<Out>): WorkerChannel<In, Out> | null {
  const early = takeEarly(url);
  if (early) {
    const channel = new WorkerChannel<In, Out>(early.worker, events);
    early.handOver();
    return channel;
  }
  try {
    return new WorkerChannel<In, Out>(createWorker(url), events);
  } catch {
    return null;
  }
}

/**
 * Threads started before the CLI's own script is compiled (the launcher, cli/launch.ts: ~30 ms
 * before the CLI's modules could start them): a thread takes ~35–75 ms here to boot, and the
 * first layer waits for the hashing thread (docs/performance.md, sixth session of 2026-12-07).
 * Kept on the process, by URL, until `startWorker` takes one over: the launcher and the CLI are
 * separate scripts, each with its own copy of this module.
 */
const EARLY = Symbol.for('layerlens.early-workers');
type EarlyEvent = readonly ['message' | 'error' | 'exit', unknown];
interface Early {
  worker: Worker;
  /** Stop recording and give the events recorded so far to the listeners now attached. */
  handOver(): void;
}
const earlyThreads = (): Map<string, Early> => ((globalThis as { [EARLY]?: Map<string, Early> })[EARLY] ??= new Map());

/**
 * Start `thread` now (unless it is switched off, as `LazyWorker` would leave it), for a later
 * `startWorker` of its URL to take over. Until then what it says (its ready message, an error, its
 * exit) is recorded, not lost; an idle thread never holds the process open. Does nothing where no
 * thread can be made (the CLI then starts it as before).
 */
export function startEarly(thread: ThreadModule): void {
  const { url } = thread;
  const threads = earlyThreads();
  if (switchedOff(thread) || threads.has(url.href)) return;
  let worker: Worker;
  try {
    worker = createWorker(url);
  } catch {
    return;
  }
  const events: EarlyEvent[] = [];
  const record = {
    message: (m: unknown) => events.push(['message', m]),
    error: (e: unknown) => events.push(['error', e]),
    exit: (code: unknown) => events.push(['exit', code]),
  };
  for (const [name, listener] of Object.entries(record)) worker.on(name, listener);
  worker.unref();
  threads.set(url.href, {
    worker,
    handOver() {
      for (const [name, listener] of Object.entries(record)) worker.off(name, listener);
      for (const [name, value] of events) worker.emit(name, value);
    },
  });
}

function takeEarly(url: URL): Early | undefined {
  const threads = earlyThreads();
  const early = threads.get(url.href);
  threads.delete(url.href);
  return early;
}

function createWorker(url: URL): Worker {
  if (url.pathname.endsWith('.js') && !existsSync(fileURLToPath(url))) {
    const source = new URL(url.href.replace(/\.js$/, '.ts'));
    if (existsSync(fileURLToPath(source))) {
      // Running from sources (tsx): register tsx in the thread, then load the module.
      const tsx = import.meta.resolve('tsx/esm/api');
      const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source.href)}); });`;
      return new Worker(boot, { eval: true, execArgv: [] });
    }
  }
  return new Worker(url, { execArgv: [] });
}

/**
 * One worker of a module, shared by its callers: started on first use (or ahead of it: `get()`),
 * never where its off switch (an environment variable set to 1) says so, and forgotten when it
 * stops, so that later work runs on the main thread. The owner's `stop` runs after that.
 */
export class LazyWorker<In, Out> {
  private channel: WorkerChannel<In, Out> | null | undefined;

  constructor(
    private readonly thread: ThreadModule,
    private readonly events: WorkerEvents<Out>,
  ) {}

  /** The thread, started now if it was not; null where none runs (the owner works on this thread). */
  get(): WorkerChannel<In, Out> | null {
    if (this.channel !== undefined) return this.channel;
    if (switchedOff(this.thread)) return (this.channel = null);
    this.channel = startWorker<In, Out>(this.thread.url, {
      message: (m) => this.events.message(m),
      stop: (err) => {
        this.channel = null;
        this.events.stop(err);
      },
    });
    return this.channel;
  }

  /** The thread if one was started and still runs (never starts one). */
  get current(): WorkerChannel<In, Out> | null | undefined {
    return this.channel;
  }

  /** Resolves true once the thread has loaded, false when it cannot run (tests, diagnostics). */
  ready(): Promise<boolean> {
    const c = this.get();
    return c ? c.whenReady() : Promise.resolve(false);
  }

  /** For tests of the fallback: stop the thread as a crash would. */
  stopForTest(): Promise<unknown> {
    return this.channel ? this.channel.terminate() : Promise.resolve();
  }

  /** Let the process exit even while replies are pending (the command is over). */
  release(): void {
    this.channel?.unref();
  }
}

/** The thread's end, called once by a worker module at its top level. */
export function workerPort<In, Out>(onMessage: (m: In) => void): { post(m: Out, transfer?: Transferable[]): void } {
  const port = parentPort;
  if (!port) throw new Error('workerPort() outside a worker thread');
  port.on('message', onMessage);
  port.postMessage(READY);
  return { post: (m, transfer) => port.postMessage(m, transfer) };
}
