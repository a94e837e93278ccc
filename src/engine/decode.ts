/**
 * Layer blob decoding by magic bytes (never by media type or file name): gzip `1f 8b` (including
 * concatenated members, as eStargz writes), zstd `28 b5 2f fd`, otherwise plain tar.
 */
import { PassThrough, type Readable, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { Compression } from './types.js';
import { sniffCompression } from './magic.js';
import { GzipMembers } from './gzip-members.js';
import { createZstdDecoder } from './zstd.js';
import { LayerlensError } from '../errors/index.js';

/**
 * The other compressions Docker's own layer reader recognizes by their magic (bzip2 `BZh`, xz
 * `fd 37 7a 58 5a 00`): named, so such a layer is not mistaken for a broken tar. (A tar whose
 * first name starts so is taken for one by Docker too.)
 */
function otherCompression(head: Uint8Array): string | undefined {
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  const xz = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
  if (head.length >= 6 && xz.every((b, i) => head[i] === b)) return 'xz';
  return undefined;
}

export { zstdDecoderName } from './zstd.js';
export { sniffCompression };

/** How a decoder hands its output on. */
export interface DecoderOptions {
  /** Lend its output chunks, for a consumer that gives each back (GzipMembers' `lendOutput`). */
  lendOutput?: boolean;
}

export function createDecoder(kind: Compression, opts: DecoderOptions = {}): Transform {
  switch (kind) {
    case 'gzip':
      // Members parsed here, deflate data inflated by zlib without its CRC-32 (see
      // gzip-members.ts); LAYERLENS_GUNZIP=zlib uses zlib's Gunzip. 1 MiB output chunks either
      // way: ~35% faster than the 16 KiB default.
      return process.env.LAYERLENS_GUNZIP === 'zlib'
        ? zlib.createGunzip({ chunkSize: 1 << 20 })
        : new GzipMembers({ lendOutput: opts.lendOutput });
    case 'zstd':
      // Paced: output is made only as fast as it is read (see zstd.ts).
      return createZstdDecoder();
    default:
      return new PassThrough({ highWaterMark: 1 << 20 });
  }
}

/** Map decoder failures to one-line messages. */
export function describeDecodeError(kind: Compression, err: unknown): LayerlensError {
  const msg = err instanceof Error ? err.message : String(err);
  if (kind === 'gzip') return new LayerlensError(`corrupt gzip data: ${msg}`, 'CORRUPT');
  if (kind === 'zstd') return new LayerlensError(`corrupt zstd data: ${msg}`, 'CORRUPT');
  return new LayerlensError(msg, 'CORRUPT');
}

/**
 * Reads the first bytes of `input` to pick a decoder, then returns the decompressed stream.
 * The returned promise resolves once the kind is known.
 */
export async function openDecoded(
  input: NodeJS.ReadableStream,
  opts: DecoderOptions = {},
): Promise<{ kind: Compression; out: Readable; decoder: Transform }> {
  const src = input as Readable;
  // Listen for errors from the start: a source may fail (e.g. a digest check at its end) between
  // readHead resolving and the decoder existing; that error must reach the decoder, not the process.
  let decoder: Transform | undefined;
  let early: Error | undefined;
  src.on('error', (err) => (decoder ? decoder.destroy(err) : (early ??= err)));
  const head = await readHead(src, 6);
  const other = otherCompression(head);
  if (other) {
    src.destroy();
    throw new LayerlensError(
      `the layer is compressed with ${other}, which \`docker load\` reads but layerlens does not (it reads gzip, zstd and plain tar): load the image and save it again (docker load, then docker save), which writes plain tar`,
      'UNSUPPORTED',
    );
  }
  const kind = sniffCompression(head);
  decoder = createDecoder(kind, opts);
  if (early) decoder.destroy(early);
  else if (head.length) decoder.write(head);
  src.pipe(decoder);
  return { kind, out: decoder, decoder };
}

/** Read at least `n` bytes (or to the end) without losing any. */
function readHead(src: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    const onData = (c: Buffer) => {
      chunks.push(c);
      len += c.length;
      if (len >= n) done();
    };
    const onEnd = () => done();
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      src.off('data', onData);
      src.off('end', onEnd);
      src.off('error', onError);
    };
    const done = () => {
      cleanup();
      src.pause();
      // One chunk is passed on as it is: not copied (a source may hold a whole layer as one chunk:
      // copying it cost the in-memory benchmark image 2.5 of its 3 s), and a lent one still goes
      // back (lent-chunks.ts).
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    };
    src.on('data', onData);
    src.on('end', onEnd);
    src.on('error', onError);
  });
}
