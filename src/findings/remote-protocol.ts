/** Messages between the content inspector (main thread) and the scan worker. */
import type { SecretMatch } from './secrets/scanner.js';

export interface BatchOp {
  id: number;
  /** Sent with a file's first op only. */
  path?: string;
  off: number;
  len: number;
  end: boolean;
}

export interface BatchMessage {
  t: 'batch';
  ops: BatchOp[];
  /** All ops' bytes, transferred (not copied) to the worker. */
  buf: ArrayBuffer;
}

export interface ResultMessage {
  t: 'results';
  results: Array<{ id: number; secrets?: SecretMatch[]; truncated: boolean }>;
  /** Size of the batch answered, for backpressure accounting. */
  bytes: number;
}
