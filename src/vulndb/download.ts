/**
 * Fetching one ecosystem's all.zip into a file: over HTTP(S) (a mirror with the OSV bucket's
 * layout, `BASE/ECOSYSTEM/all.zip`), or copied from a local directory or file: URL (osv-scanner's
 * cache, an offline mirror). The body must arrive whole: its length is checked against
 * Content-Length, and its MD5 against the bucket's `x-goog-hash` when the server sends one. Bounded
 * in size and time.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const MAX_BYTES = 4 * 1024 ** 3;
/** No byte for this long: the transfer is stalled. */
const IDLE_MS = 60_000;

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface Fetched {
  source: string;
  bytes: number;
  sha256: string;
}

/** The archive's address under `base`: a URL, a file: URL or a local directory. */
export function archiveLocation(base: string, ecosystem: string): string {
  if (/^https?:\/\//i.test(base)) return `${base.replace(/(?<!\/)\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`;
  const dir = /^file:/i.test(base) ? fileURLToPath(base) : base;
  return join(dir, ecosystem, 'all.zip');
}

/** Writes the archive at `location` to `file`; throws DownloadError on any failure. */
export async function fetchArchive(location: string, file: string): Promise<Fetched> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      if (bytes > MAX_BYTES) return cb(new DownloadError(`${location}: larger than ${MAX_BYTES} bytes`));
      sha.update(chunk);
      md5.update(chunk);
      cb(null, chunk);
    },
  });
  if (!/^https?:\/\//i.test(location)) {
    try {
      await pipeline(createReadStream(location), count, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new DownloadError(`${location}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(err))}`);
    }
    return { source: location, bytes, sha256: sha.digest('hex') };
  }
  const ctl = new AbortController();
  let idle = setTimeout(() => ctl.abort(), IDLE_MS);
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => ctl.abort(), IDLE_MS);
  };
  try {
    let res: Response;
    try {
      res = await fetch(location, { signal: ctl.signal, redirect: 'follow' });
    } catch (err) {
      throw new DownloadError(`${location}: ${netMessage(err)}`);
    }
    if (res.status === 404) throw new DownloadError(`${location}: not found (404)`, 404);
    if (!res.ok || !res.body) throw new DownloadError(`${location}: HTTP ${res.status}`, res.status);
    const expected = Number(res.headers.get('content-length') ?? NaN);
    const goog = res.headers.get('x-goog-hash')?.match(/md5=([A-Za-z0-9+/=]+)/)?.[1];
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', touch);
    try {
      await pipeline(body, count, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      if (err instanceof DownloadError) throw err;
      throw new DownloadError(`${location}: transfer interrupted after ${bytes} bytes (${netMessage(err)})`);
    }
    if (Number.isFinite(expected) && bytes !== expected)
      throw new DownloadError(`${location}: transfer interrupted: ${bytes} of ${expected} bytes`);
    if (goog && md5.digest('base64') !== goog) throw new DownloadError(`${location}: MD5 does not match x-goog-hash`);
    return { source: location, bytes, sha256: sha.digest('hex') };
  } finally {
    clearTimeout(idle);
  }
}

function netMessage(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'AbortError') return `no data for ${IDLE_MS / 1000} s`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
