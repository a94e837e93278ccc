/**
 * The messages between the main thread and the blob download worker (fetch-worker.ts starts it,
 * fetch-thread.ts runs it), in both directions. Only plain data crosses: URLs as strings, agents
 * as specs, errors as their fields; body batches as transferred ArrayBuffers (moved, not copied).
 */
import type http from 'node:http';
import type { Step, Timing } from './exchange-errors.js';
import type { AgentSpec } from './transport.js';

/**
 * Body bytes of a request that may be on their way to the main thread's consumer: posted and not
 * yet read there (queued on the channel, or waiting in the response stream). Past it the socket
 * waits (the kernel's buffer still fills) until the main thread says its consumer has read some
 * (`taken`). This is the body's only flow control: the worker keeps the count (fetch-thread.ts),
 * the response stream reports the reads (fetch-worker.ts RemoteResponse).
 *
 * Why not a pause message from the main thread once its stream's buffer is full (as before): the
 * main thread can send one only when it runs. While it is busy (parsing, a long collection), what
 * the worker posts queues unread, and a fast registry filled that queue without bound: any amount
 * behind a long pause of the main thread, and on a loopback pull of the realistic image 56 of its
 * 150 batches were new memory (the pool had none to give). With the window: 26–27, and the pull's
 * peak RSS 157 MiB instead of 179 (docs/performance.md, seventh session of 2026-12-05).
 *
 * 2 MiB (two batches; 4 MiB before the second session of 2026-12-06): the blob stream downstream
 * reads ahead 2 MiB of its own (reader.ts bufferBytes) and the kernel's socket buffer holds what
 * arrives meanwhile, so a deeper window only made the worker write more fresh batch memory.
 */
export const IN_FLIGHT = 2 << 20;

/** To the worker. */
export type ToFetchThread =
  /** One GET; 200/206 bodies stream back (hashed into `hash`), others come back whole. */
  | {
      t: 'get';
      id: number;
      url: string;
      headers: Record<string, string>;
      agent: AgentSpec;
      /** Its `deadlineAt` is replaced by now + `remainingMs` when the thread starts the request. */
      timing: Timing;
      remainingMs: number;
      hash: number;
      /** Bytes of the blob already delivered: skipped from a 200 (a server that ignored Range). */
      offset: number;
    }
  | { t: 'abort'; id: number }
  /**
   * Body bytes the main thread's consumer has read (they open the worker's window again,
   * fetch-thread.ts), and the batches given back since the last report (`spare`).
   */
  | { t: 'taken'; id: number; bytes: number; spares: ArrayBuffer[] }
  | { t: 'hash-open'; hash: number; algorithm: string }
  | { t: 'hash-digest' | 'hash-drop'; hash: number }
  | { t: 'close-agents'; agents: AgentSpec[] }
  /**
   * Body batches' memory, moved back once the engine is done with them: written again
   * (body-batches.ts). Most come with `taken`; this message only when no body streams.
   */
  | { t: 'spare'; buffers: ArrayBuffer[] }
  /** How many batches the thread has made new and written again (tests, diagnostics). */
  | { t: 'stats' };

/** An error as plain data (a TransportError's fields, or any error's message and code). */
export interface WireError {
  message: string;
  code?: string;
  host?: string;
  step?: Step;
}

/** From the worker. */
export type FromFetchThread =
  | { t: 'head'; id: number; status: number; headers: http.IncomingHttpHeaders }
  | { t: 'whole'; id: number; status: number; headers: http.IncomingHttpHeaders; body: Uint8Array }
  | { t: 'data'; id: number; bytes: Uint8Array }
  | { t: 'end'; id: number }
  | { t: 'error'; id: number; error: WireError }
  | { t: 'digest'; hash: number; hex: string }
  | { t: 'stats'; made: number; reused: number };
