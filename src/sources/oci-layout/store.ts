/**
 * A layout store: the named members of an image layout, wherever they live (a directory, an
 * indexed tar file, JSON kept in memory from a one-pass read). The OCI walk and the docker-save
 * readers only talk to this interface, so every source shares them.
 */
import { realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { checkDepth } from '../../engine/config-shape.js';
import { decodeAsGo, type GoType } from '../../engine/go-json.js';
import { limitError, limits } from '../../engine/limits.js';
import { LayerlensError } from '../../errors/index.js';
import { FileChunks } from '../file-chunks.js';
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

/**
 * A JSON metadata document, parsed. Its bytes are never quoted in the error (a member may be any
 * file: a layout's blob linked to /etc/shadow must not show its first bytes): only where the
 * syntax breaks. Nesting is bounded (see checkDepth).
 */
export function parseJson(data: Buffer, what: string, type?: GoType): unknown {
  // Image metadata is read as the runtimes read it (engine/go-json.ts).
  if (type) return decodeAsGo(data.toString('utf8'), type, what);
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch (err) {
    const msg = (err as Error).message;
    const at = /at position (\d+)/.exec(msg)?.[1];
    const why = /end of JSON input/.test(msg)
      ? 'it ends early'
      : at !== undefined
        ? `error at byte ${at}`
        : 'syntax error';
    throw new LayerlensError(`${what} is not valid JSON (${why})`, 'BAD_SCHEMA');
  }
  checkDepth(doc, what);
  return doc;
}

/** Throws TOO_LARGE when a metadata document of `size` bytes is beyond LAYERLENS_MAX_JSON_BYTES. */
export function checkJsonSize(size: number, what: string): void {
  if (size > limits().maxJsonBytes)
    throw limitError('maxJsonBytes', `${what} is ${size} bytes: too large to be image metadata`);
}

/** Read and parse a JSON member; undefined when missing. */
export async function readJsonMember(store: LayoutStore, name: string, what: string, type?: GoType): Promise<unknown> {
  const size = await store.size(name);
  if (size === undefined) return undefined;
  checkJsonSize(size, `${what} in ${store.label}`);
  const data = await store.read(name);
  return data === undefined ? undefined : parseJson(data, `${what} in ${store.label}`, type);
}

/** Read a JSON blob by digest, verifying the digest; undefined when the blob is missing. */
export async function readJsonBlob(
  store: LayoutStore,
  name: string,
  digest: string,
  what: string,
  type?: GoType,
): Promise<unknown> {
  const size = await store.size(name);
  if (size === undefined) return undefined;
  checkJsonSize(size, `${what} ${shortDigest(digest)} in ${store.label}`);
  const data = await store.read(name);
  if (data === undefined) return undefined;
  verifyBuffer(data, digest, `${what} ${shortDigest(digest)} in ${store.label}`);
  return parseJson(data, `${what} ${shortDigest(digest)} in ${store.label}`, type);
}

/**
 * Members of a directory (an OCI layout, or an extracted docker save). Member names come from
 * manifests: only relative paths that stay inside the directory are served, and a member that is
 * a symlink is followed only when it resolves inside the directory too (docker save links a
 * repeated layer to the first copy; a link to /etc/shadow is refused, never read).
 */
export class DirStore implements LayoutStore {
  readonly label: string;
  private realDir: string | undefined;
  constructor(
    readonly dir: string,
    label?: string,
  ) {
    this.label = label ?? dir;
  }

  private resolve(name: string): string | undefined {
    const norm = path.posix.normalize(name);
    if (norm.startsWith('../') || norm === '..' || path.posix.isAbsolute(norm) || norm.includes('\0')) return undefined;
    const p = path.join(this.dir, norm);
    let real: string;
    try {
      // (The C library's realpath: node's own, in JS, lstats each component through a binding
      // call, and a blob is resolved three times — its size, its stream, its byte range — ~0.2 ms
      // a layer; a 127-layer image spent ~30 ms here.)
      real = realpathSync.native(p);
    } catch {
      return p; // not there (or unreadable): said by whoever reads it
    }
    this.realDir ??= realpathSync.native(this.dir);
    if (real !== this.realDir && !real.startsWith(this.realDir + path.sep))
      throw new LayerlensError(
        `${this.label}: ${name} is a symlink to a file outside the layout directory: refused`,
        'UNSAFE_PATH',
      );
    return p;
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
    return new FileChunks(p);
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
