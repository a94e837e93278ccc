/**
 * Writes generated images as OCI layouts with gzip layers, streaming: a layer's entries come from
 * a generator and go through tar-stream's packer and zlib's gzip straight to disk, hashed on the
 * way (diffID and blob digest), so an image of many gigabytes is written in a few MiB of memory.
 * The benchmarks' images (bench/gen-*.ts) are written once under .bench-data/ and reused.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar, { type Headers } from 'tar-stream';

/** One tar entry to write: a directory, a symlink, or a file whose bytes are given or streamed. */
export interface GenEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink';
  mode?: number;
  linkname?: string;
  /** A small file's bytes. */
  body?: Buffer;
  /** A large file: its size, and its bytes in pieces (their lengths add up to `size`). */
  size?: number;
  pieces?: () => Iterable<Buffer>;
}

export interface WrittenLayer {
  digest: string;
  diffId: string;
  /** Uncompressed bytes. */
  size: number;
  compressedSize: number;
  entries: number;
  createdBy: string;
}

export interface LayerPlan {
  createdBy: string;
  entries: () => Iterable<GenEntry>;
}

const MTIME = new Date(1700000000000);

/** Write one gzip layer blob into `dir/blobs/sha256/` (level 1: quick to write; inflating it costs as much as level 6's). */
export async function writeLayer(dir: string, plan: LayerPlan, tmpName: string, level = 1): Promise<WrittenLayer> {
  const pack = tar.pack();
  const gz = zlib.createGzip({ level, chunkSize: 1 << 20 });
  const diffHash = createHash('sha256');
  const blobHash = createHash('sha256');
  let size = 0;
  let compressedSize = 0;
  const tmp = join(dir, tmpName);
  const out = createWriteStream(tmp);
  // The packer pushes each header and body on its own: gathered into 1 MiB pieces for gzip (a
  // zlib call per 512-byte header made writing a million small files take minutes of system time).
  let held: Buffer[] = [];
  let heldBytes = 0;
  const tee = new Transform({
    highWaterMark: 1 << 20,
    transform(c: Buffer, _e, cb) {
      diffHash.update(c);
      size += c.length;
      held.push(c);
      heldBytes += c.length;
      if (heldBytes < 1 << 20) return cb();
      const out = Buffer.concat(held);
      held = [];
      heldBytes = 0;
      cb(null, out);
    },
    flush(cb) {
      cb(null, heldBytes ? Buffer.concat(held) : undefined);
    },
  });
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _e, cb) {
      blobHash.update(chunk);
      compressedSize += chunk.length;
      if (out.write(chunk)) cb();
      else out.once('drain', () => cb());
    },
    final(cb) {
      out.end(cb);
    },
  });
  const done = pipeline(pack as unknown as NodeJS.ReadableStream, tee, gz, sink);
  let entries = 0;
  for (const e of plan.entries()) {
    entries++;
    const type = e.type ?? 'file';
    const header: Headers = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      uid: 0,
      gid: 0,
      mtime: MTIME,
      linkname: e.linkname,
      size: type === 'file' ? (e.body?.length ?? e.size ?? 0) : 0,
    };
    // Each entry's callback comes once the packer took it (after the gzip side drained): backpressure.
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file' && e.pieces) {
        const stream = pack.entry(header, cb);
        void (async () => {
          for (const piece of e.pieces!()) {
            if (!stream.write(piece)) await new Promise<void>((r) => stream.once('drain', r));
          }
          stream.end();
        })().catch(reject);
      } else if (type === 'file') pack.entry(header, e.body ?? Buffer.alloc(0), cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  const digest = 'sha256:' + blobHash.digest('hex');
  renameSync(tmp, join(dir, 'blobs', 'sha256', digest.slice(7)));
  return {
    digest,
    diffId: 'sha256:' + diffHash.digest('hex'),
    size,
    compressedSize,
    entries,
    createdBy: plan.createdBy,
  };
}

function writeBlob(dir: string, content: string): { digest: string; size: number } {
  const digest = 'sha256:' + createHash('sha256').update(content).digest('hex');
  writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), content);
  return { digest, size: Buffer.byteLength(content) };
}

/** The layout's config, manifest and index around layers already written; `index.json` last (it marks the layout complete). */
export function finishLayout(
  dir: string,
  layers: Array<Pick<WrittenLayer, 'digest' | 'diffId' | 'compressedSize' | 'createdBy'>>,
  config: Record<string, unknown>,
  refName: string,
): void {
  const cfg = writeBlob(
    dir,
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      ...config,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((l) => ({ created: '2026-11-01T00:00:00Z', created_by: l.createdBy })),
    }),
  );
  const manifest = writeBlob(
    dir,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfg.digest, size: cfg.size },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: l.digest,
        size: l.compressedSize,
      })),
    }),
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifest.digest,
          size: manifest.size,
          platform: { os: 'linux', architecture: 'amd64' },
          annotations: { 'org.opencontainers.image.ref.name': refName },
        },
      ],
    }),
  );
}

/** Write every layer (two at a time: gzip runs on zlib's threads), then the layout around them. */
export async function writeLayout(
  dir: string,
  plans: LayerPlan[],
  config: Record<string, unknown>,
  refName: string,
  log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Promise<WrittenLayer[]> {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const written: WrittenLayer[] = new Array(plans.length);
  let next = 0;
  const worker = async () => {
    while (next < plans.length) {
      const i = next++;
      const t0 = performance.now();
      written[i] = await writeLayer(dir, plans[i], `tmp-layer-${i}`);
      const w = written[i];
      log(
        `  layer ${i + 1}/${plans.length}: ${w.entries.toLocaleString('en-US')} entries, ${(w.size / 1e9).toFixed(2)} GB → ${(w.compressedSize / 1e9).toFixed(2)} GB gzip (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
  };
  await Promise.all([worker(), worker()]);
  finishLayout(dir, written, config, refName);
  return written;
}

/** Total bytes of a layout's blobs on disk. */
export function layoutBytes(layers: WrittenLayer[]): { size: number; compressed: number } {
  return {
    size: layers.reduce((n, l) => n + l.size, 0),
    compressed: layers.reduce((n, l) => n + l.compressedSize, 0),
  };
}
