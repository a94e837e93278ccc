/**
 * Writes real tar layers in-process with tar-stream's packer: the demo image and unit tests use
 * it. Entries are written in the order given (order matters for whiteout semantics tests).
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import tar, { type Headers } from 'tar-stream';

export interface TarSpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  linkname?: string;
  pax?: Record<string, string>;
  devmajor?: number;
  devminor?: number;
}

export async function buildTar(specs: TarSpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const s of specs) {
    const type = s.type ?? 'file';
    const body = s.content === undefined ? undefined : Buffer.isBuffer(s.content) ? s.content : Buffer.from(s.content);
    const header: Headers = {
      name: s.name,
      type,
      mode: s.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      uid: s.uid ?? 0,
      gid: s.gid ?? 0,
      mtime: s.mtime ?? new Date(1700000000000),
      linkname: s.linkname,
      pax: s.pax,
      devmajor: s.devmajor,
      devminor: s.devminor,
      size: type === 'file' ? (body?.length ?? 0) : 0,
    };
    await new Promise<void>((resolve, reject) => {
      if (type === 'file') pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
      else pack.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

export function sha256(buf: Buffer): string {
  return 'sha256:' + createHash('sha256').update(buf).digest('hex');
}

export function gzip(buf: Buffer): Buffer {
  return zlib.gzipSync(buf);
}
