/**
 * `--pull`: pull through the daemon. Progress arrives as JSON lines in a 200 response, and so do
 * failures (`{error, errorDetail}`): every event is checked.
 */
import { LayerlensError } from '../../errors/index.js';
import { describeDaemonError, type DaemonKind } from './client.js';
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
  o.log?.(`pulling ${name} through the ${kind === 'docker' ? 'Docker daemon' : 'Podman service'} at ${ep.url}`);
  await consumePullStream(stream, name, o.log);
}

/** Read a pull progress stream to its end; reject on the first `error` event. */
export function consumePullStream(
  stream: NodeJS.ReadableStream,
  name: string,
  log?: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let failed = false;
    const lastStatus = new Map<string, string>();
    const fail = (e: LayerlensError) => {
      if (failed) return;
      failed = true;
      reject(e);
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    };
    const onLine = (line: string) => {
      if (!line.trim()) return;
      let ev: PullEvent;
      try {
        ev = JSON.parse(line) as PullEvent;
      } catch {
        return; // Not JSON: nothing to act on.
      }
      if (ev.error || ev.errorDetail) {
        const msg = (ev.errorDetail?.message ?? ev.error ?? 'unknown error').split('\n')[0];
        fail(new LayerlensError(`pull of ${name} failed: ${msg}`, 'PULL_FAILED'));
        return;
      }
      if (!log || !ev.status) return;
      // One line per status change of a layer, not one per progress tick.
      const key = ev.id ?? '';
      if (lastStatus.get(key) === ev.status) return;
      lastStatus.set(key, ev.status);
      log(ev.id ? `${ev.id}: ${ev.status}` : ev.status);
    };
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    stream.on('end', () => {
      onLine(buffered);
      if (!failed) resolve();
    });
    stream.on('error', (err: Error) =>
      fail(new LayerlensError(`pull of ${name} failed: ${err.message}`, 'PULL_FAILED')),
    );
  });
}
