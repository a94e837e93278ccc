/**
 * A layout store: the named members of an image layout, wherever they live (a directory, an
 * indexed tar file, JSON kept in memory from a one-pass read). The OCI walk and the docker-save
 * readers only talk to this interface, so every source shares them.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LayerlensError } from '../../errors/index.js';
import { shortDigest, verifyBuffer } from './digest.js';

export interface LayoutStore {
  /** For messages: `archive img.tar`, `OCI layout ./dir`. */
  readonly label: string;
  /** A member's bytes, or undefined when it is not there. */
  read(name: string): Promise<Buffer | undefined>;
  /** A member's size, or undefined when it is not there. */
  size(name: string): Promise<number | undefined>;
  /** A stream of a member (stores that can re-read: directories and tar files). */
  open?(name: string): NodeJS.ReadableStream;
  /** Where a member's bytes lie in a file (length -1: to its end), for hashing them apart. */
  fileRange?(name: string): FileRange | undefined;
}

export interface FileRange {
  file: string;
  start: number;
  length: number;
}

/** JSON metadata is small; anything bigger is not a manifest/config/index. */
export const MAX_JSON_BYTES = 64 << 20;

export function parseJson(data: Buffer, what: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new LayerlensError(`${what} is not valid JSON (${(err as Error).message.split('\n')[0]})`, 'BAD_SCHEMA');
  }
}

/** Read and parse a JSON member; undefined when missing. */
export async function readJsonMember(store: LayoutStore, name: string, what: string): Promise<unknown> {
  const size = await store.size(name);
  if (size === undefined) return undefined;
  if (size > MAX_JSON_BYTES)
    throw new LayerlensError(
      `${what} in ${store.label} is ${size} bytes: too large to be image metadata`,
      'BAD_SCHEMA',
    );
  const data = await store.read(name);
  return data === undefined ? undefined : parseJson(data, `${what} in ${store.label}`);
}

/** Read a JSON blob by digest, verifying the digest; undefined when the blob is missing. */
export async function readJsonBlob(store: LayoutStore, name: string, digest: string, what: string): Promise<unknown> {
  const size = await store.size(name);
  if (size === undefined) return undefined;
  if (size > MAX_JSON_BYTES)
    throw new LayerlensError(
      `${what} ${shortDigest(digest)} in ${store.label} is ${size} bytes: too large to be image metadata`,
      'BAD_SCHEMA',
    );
  const data = await store.read(name);
  if (data === undefined) return undefined;
  verifyBuffer(data, digest, `${what} ${shortDigest(digest)} in ${store.label}`);
  return parseJson(data, `${what} ${shortDigest(digest)} in ${store.label}`);
}

/**
 * Members of a directory (an OCI layout, or an extracted docker save). Member names come from
 * manifests: only relative paths that stay inside the directory are served.
 */
export class DirStore implements LayoutStore {
  readonly label: string;
  constructor(
    readonly dir: string,
    label?: string,
  ) {
    this.label = label ?? dir;
  }

  private resolve(name: string): string | undefined {
    const norm = path.posix.normalize(name);
    if (norm.startsWith('../') || norm === '..' || path.posix.isAbsolute(norm) || norm.includes('\0')) return undefined;
    return path.join(this.dir, norm);
  }

  async read(name: string): Promise<Buffer | undefined> {
    const p = this.resolve(name);
    if (!p) return undefined;
    try {
      return await fs.readFile(p);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw fsError(err, p);
    }
  }

  async size(name: string): Promise<number | undefined> {
    const p = this.resolve(name);
    if (!p) return undefined;
    try {
      const st = await fs.stat(p);
      return st.isFile() ? st.size : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw fsError(err, p);
    }
  }

  open(name: string): NodeJS.ReadableStream {
    const p = this.resolve(name);
    if (!p) return Readable.from([]);
    const s = createReadStream(p, { highWaterMark: 1 << 20 });
    return s;
  }

  fileRange(name: string): FileRange | undefined {
    const p = this.resolve(name);
    return p ? { file: p, start: 0, length: -1 } : undefined;
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

export function fsError(err: unknown, p: string): LayerlensError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return new LayerlensError(`${p}: permission denied`, 'PERMISSION');
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new LayerlensError(`${p}: no such file or directory`, 'NOT_FOUND');
  if (code === 'EISDIR') return new LayerlensError(`${p}: is a directory, not a file`, 'IO');
  return new LayerlensError(`${p}: cannot be read (${code ?? 'I/O error'})`, 'IO');
}
