/**
 * The registry ImageReader: meta() from manifest + config (first frame before any layer), then
 * blobs streamed straight into the engine in index order while the next ones already download
 * (bounded prefetch; each pauses when its buffer is full), no temp files. Layer downloads need
 * only the manifest, so the first ones start while the config and provenance are still being
 * fetched; they are handed to the engine once meta() is there (it tracks their progress).
 */
import { documentVariants } from '../../engine/go-json.js';
import { stringAnnotations } from '../../engine/annotations.js';
import { mapHistory } from '../../engine/history.js';
import type { ImageMeta, ImageProvenance, ImageReader, LayerBlob, Platform } from '../../engine/types.js';
import type { ImageReference } from '../../reference/parse.js';
import { VerifiedBlobStream } from './blob-stream.js';
import type { RegistryClient } from './client.js';
import type { RetryPolicy } from './retry.js';
import { formatPlatform } from './platform.js';
import { lookupProvenance, provenanceNotes } from './provenance.js';
import { fetchConfig, type ResolvedImage } from './resolve.js';

export interface ReaderOptions {
  /** Layers downloading at once, counting the one being parsed (default 3). */
  prefetch?: number;
  /**
   * Bytes buffered per prefetched layer before its download pauses (default 2 MiB). Deeper
   * buffers do not keep the network busier: a paused download's socket still fills the kernel's
   * receive buffer (autotuned up to several MiB), which costs this process nothing. Every MiB
   * buffered here is memory the download worker first writes fresh (~3 ms a MiB on this machine):
   * 8 MiB per layer made ~11 MiB more of it on the realistic image (docs/performance.md, second
   * session of 2026-12-06).
   */
  bufferBytes?: number;
  /** Download and hash blobs on a worker thread (default true; fetch-worker.ts). */
  offThread?: boolean;
  retry?: RetryPolicy;
  /** Look up signatures/referrers (default true). */
  provenance?: boolean;
  provenanceTimeoutMs?: number;
}

export class RegistryImageReader implements ImageReader {
  private readonly metaPromise: Promise<ImageMeta>;
  private readonly open = new Set<VerifiedBlobStream>();
  private closed = false;

  constructor(
    readonly client: RegistryClient,
    readonly ref: ImageReference,
    readonly resolved: ResolvedImage,
    private readonly opts: ReaderOptions = {},
  ) {
    this.metaPromise = this.buildMeta();
    // A failure is reported by meta()/blobs(); never as an unhandled rejection.
    this.metaPromise.catch(() => {});
  }

  meta(): Promise<ImageMeta> {
    return this.metaPromise;
  }

  private async buildMeta(): Promise<ImageMeta> {
    const { client, ref, resolved } = this;
    const m = resolved.manifest;
    const name = `${ref.registry}/${ref.repository}`;
    const provP: Promise<ImageProvenance | undefined> =
      this.opts.provenance === false
        ? Promise.resolve(undefined)
        : withTimeout(
            lookupProvenance({
              client,
              repository: ref.repository,
              name,
              manifestDigest: resolved.manifestDigest,
              indexDigest: resolved.indexDigest,
              indexManifests: resolved.indexManifests,
            }),
            this.opts.provenanceTimeoutMs ?? 8_000,
          ).catch((err: Error) => ({
            pinnedReference: `${name}@${resolved.indexDigest ?? resolved.manifestDigest}`,
            manifestDigest: resolved.manifestDigest,
            indexDigest: resolved.indexDigest,
            artifacts: [],
            referrersApi: 'unknown' as const,
            errors: [err.message],
            verified: false as const,
          }));
    const [config, provenance] = await Promise.all([fetchConfig(client, ref, m), provP]);
    const diffIds = config.rootfs!.diff_ids;
    const platform: Platform | undefined =
      config.os && config.architecture
        ? { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) }
        : resolved.indexPlatform;
    const notes = [
      `registry: ${client.endpoint.description}`,
      `auth: ${client.authUsed}`,
      ...resolved.notes,
      `manifest: ${resolved.manifestDigest} (${m.mediaType})`,
      ...(platform ? [`image platform: ${formatPlatform(platform)}`] : []),
    ];
    if (provenance) notes.push(...provenanceNotes(provenance));
    return {
      reference: ref.canonical,
      source: 'registry',
      digest: resolved.manifestDigest,
      configDigest: m.config.digest,
      platform,
      config,
      layers: m.layers.map((l, i) => ({
        digest: l.digest,
        diffId: diffIds[i],
        mediaType: l.mediaType,
        compressedSize: l.size >= 0 ? l.size : undefined,
      })),
      history: mapHistory(config),
      repoTags: ref.tag ? [`${ref.familiar.replace(/@.*$/s, '')}`] : undefined,
      notes,
      provenance,
      annotations: stringAnnotations(m.annotations),
      ...keyVariants([
        ['image index', resolved.index],
        ['manifest', m],
        ['image config', config],
      ]),
    };
  }

  private blob(index: number): VerifiedBlobStream {
    const l = this.resolved.manifest.layers[index];
    const s = new VerifiedBlobStream({
      client: this.client,
      repository: this.ref.repository,
      digest: l.digest,
      size: layerSize(l.size),
      label: `layer ${index}`,
      retry: this.opts.retry,
      highWaterMark: this.opts.bufferBytes ?? 2 << 20,
      offThread: this.opts.offThread,
    });
    this.open.add(s);
    s.once('close', () => this.open.delete(s));
    return s;
  }

  async *blobs(): AsyncIterable<LayerBlob> {
    const layers = this.resolved.manifest.layers;
    const n = layers.length;
    const ahead = Math.max(1, this.opts.prefetch ?? 3);
    const streams: VerifiedBlobStream[] = [];
    let yielded = 0;
    try {
      while (streams.length < Math.min(n, ahead)) streams.push(this.blob(streams.length).start());
      await this.metaPromise;
      for (let i = 0; i < n; i++) {
        if (this.closed) return;
        while (streams.length < Math.min(n, i + ahead)) streams.push(this.blob(streams.length).start());
        yielded = i + 1;
        yield { index: i, stream: streams[i], size: layerSize(layers[i].size), digest: layers[i].digest };
      }
    } finally {
      // Prefetched streams nobody will read.
      for (const s of streams.slice(yielded)) s.destroy();
    }
  }

  async reopenLayer(index: number): Promise<NodeJS.ReadableStream> {
    if (index < 0 || index >= this.resolved.manifest.layers.length) throw new RangeError(`no layer ${index}`);
    return this.blob(index);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.open) s.destroy();
    this.client.close();
  }
}

function layerSize(size: number): number | undefined {
  return size >= 0 ? size : undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`provenance lookup timed out after ${ms / 1000}s`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** `{ keyVariants }` when the documents have any (ImageMeta.keyVariants), else nothing. */
function keyVariants(docs: Array<[string, unknown]>): { keyVariants?: ReturnType<typeof documentVariants> } {
  const v = documentVariants(docs);
  return v.length ? { keyVariants: v } : {};
}
