/**
 * `--pull`: pull through the daemon. Progress arrives as JSON lines in a 200 response, and so do
 * failures (`{error, errorDetail}`): every event is checked.
 */
import { LayerlensError } from '../../errors/index.js';
import { describeDaemonError } from './client.js';
import { daemonName, type DaemonKind } from './endpoint.js';
import type { DaemonEndpoint } from './endpoint.js';
import type { EngineClient } from './engine-api.js';

export interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

export interface PullOptions {
  platform?: string;
  username?: string;
  password?: string;
  log?: (line: string) => void;
}

export async function pullImage(
  docker: EngineClient,
  name: string,
  ep: DaemonEndpoint,
  kind: DaemonKind,
  o: PullOptions,
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(name, {
      platform: o.platform,
      auth: o.username !== undefined ? { username: o.username, password: o.password ?? '' } : undefined,
    });
  } catch (err) {
    // A refused pull is about the pull (e.g. a 404 "manifest unknown"), not about the local image.
    const e = describeDaemonError(err, ep, kind);
    if ((err as { statusCode?: number }).statusCode === undefined) throw e;
    const msg = (err as { json?: { message?: string } | null }).json?.message ?? e.message;
    throw new LayerlensError(`pull of ${name} failed: ${msg.split('\n')[0]}`, 'PULL_FAILED');
  }
  o.log?.(`pulling ${name} through the ${daemonName(kind)} at ${ep.url}`);
  await consumePullStream(stream, name, o.log, `the ${daemonName(kind)}`);
}

/** A progress line is a few hundred bytes of JSON; past this one, the stream is not one. */
export const MAX_PULL_LINE = 1 << 20;

/**
 * Read a pull progress stream to its end; reject on the first `error` event. Lines are any JSON
 * (only objects are events) and bounded (MAX_PULL_LINE): a line that never ends is not kept whole.
 */
export function consumePullStream(
  stream: NodeJS.ReadableStream,
  name: string,
  log?: (line: string) => void,
  daemon = 'the daemon',
): Promise<void> {
  return new Promise((resolve, reject) => {
    // The line read so far, in pieces (joined at its end: no copy per chunk).
    let pieces: string[] = [];
    let pending = 0;
    let failed = false;
    const lastStatus = new Map<string, string>();
    const fail = (e: LayerlensError) => {
      if (failed) return;
      failed = true;
      reject(e);
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    };
    const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
    const onLine = (line: string) => {
      if (failed || !line.trim()) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return; // Not JSON: nothing to act on.
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
      const ev = parsed as PullEvent;
      if (ev.error || ev.errorDetail) {
        const msg = (text(ev.errorDetail?.message) ?? text(ev.error) ?? 'unknown error').split('\n')[0];
        fail(new LayerlensError(`pull of ${name} failed: ${msg}`, 'PULL_FAILED'));
        return;
      }
      const status = text(ev.status);
      if (!log || !status) return;
      // One line per status change of a layer, not one per progress tick.
      const key = text(ev.id) ?? '';
      if (lastStatus.get(key) === status) return;
      lastStatus.set(key, status);
      log(key ? `${key}: ${status}` : status);
    };
    stream.on('data', (chunk: Buffer) => {
      let rest = chunk.toString('utf8');
      for (let nl = rest.indexOf('\n'); nl >= 0 && !failed; nl = rest.indexOf('\n')) {
        pieces.push(rest.slice(0, nl));
        onLine(pieces.join(''));
        pieces = [];
        pending = 0;
        rest = rest.slice(nl + 1);
      }
      pieces.push(rest);
      pending += rest.length;
      if (pending > MAX_PULL_LINE)
        fail(
          new LayerlensError(
            `pull of ${name} failed: ${daemon} sent a progress line longer than ${MAX_PULL_LINE >> 20} MiB`,
            'PULL_FAILED',
          ),
        );
    });
    stream.on('end', () => {
      onLine(pieces.join(''));
      if (!failed) resolve();
    });
    stream.on('error', (err: Error) =>
      fail(new LayerlensError(`pull of ${name} failed: ${err.message}`, 'PULL_FAILED')),
    );
  });
}
