/**
 * The messages between the main thread and the blob download worker (fetch-worker.ts starts it,
 * fetch-thread.ts runs it), in both directions. Only plain data crosses: URLs as strings, agents
 * as specs, errors as their fields; body batches as transferred ArrayBuffers (moved, not copied).
 */
import type http from 'node:http';
import type { Step, Timing } from './send.js';
import type { AgentSpec } from './transport.js';

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
  | { t: 'pause' | 'resume' | 'abort'; id: number }
  | { t: 'hash-open'; hash: number; algorithm: string }
  | { t: 'hash-digest' | 'hash-drop'; hash: number }
  | { t: 'close-agents'; agents: AgentSpec[] }
  /** A body batch's memory, moved back once the engine is done with it: written again (body-batches.ts). */
  | { t: 'spare'; buffer: ArrayBuffer };

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
  | { t: 'digest'; hash: number; hex: string };
