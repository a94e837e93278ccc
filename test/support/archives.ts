/**
 * Image archives and layouts in every shape, built in-process from real layer tars: OCI layout
 * (dir or tar), docker save legacy (with symlinked duplicate layers), Docker 25+ (OCI layout
 * inside + manifest.json, uncompressed blobs) and containerd store (compressed blobs, nested
 * multi-platform index, other platform's blobs missing).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildTar, sha256, type TarSpec } from '../../src/engine/build-tar.js';
import type { ImageConfig, Platform } from '../../src/engine/types.js';

const require = createRequire(import.meta.url);

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

/** A member of a layout: bytes, or a link to another member. */
export type Member =
  | { name: string; data: Buffer }
  | { name: string; symlink: string }
  | { name: string; hardlink: string };

/** Three layers that exercise the tree: a key added then whited out, a dir replaced, a hardlink. */
export async function sampleLayerTars(): Promise<Buffer[]> {
  return Promise.all([
    buildTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/app.conf', content: 'v1\n' },
      { name: 'root/', type: 'directory', mode: 0o700 },
      { name: 'root/id_rsa', content: 'fake-key-' + 'x'.repeat(40), mode: 0o600 },
    ]),
    buildTar([
      { name: 'root/', type: 'directory', mode: 0o700 },
      { name: 'root/.wh.id_rsa', content: '' },
      { name: 'etc/app.conf', content: 'v2 longer\n' },
      { name: 'usr/bin/', type: 'directory' },
      { name: 'usr/bin/helper', content: '#!/bin/sh\n', mode: 0o4755 },
    ]),
    buildTar([
      { name: 'data/', type: 'directory' },
      { name: 'data/file', content: 'data\n' },
      { name: 'data/hard', type: 'link', linkname: 'data/file' },
    ]),
  ]);
}

export type Compress = 'none' | 'gzip' | 'zstd';

export function compress(buf: Buffer, how: Compress): Buffer {
  if (how === 'gzip') return zlib.gzipSync(buf);
  if (how === 'zstd') {
    const z = zstdCompressor();
    if (!z) throw new Error('no zstd compressor here (zstd-napi did not build, no zstd CLI)');
    return z(buf);
  }
  return buf;
}

/** zstd-napi's compress, else the zstd CLI; undefined when neither is there. */
export function zstdCompressor(): ((b: Buffer) => Buffer) | undefined {
  try {
    const z = require('zstd-napi') as { compress(b: Buffer): Buffer };
    return (b) => Buffer.from(z.compress(b));
  } catch {
    try {
      execFileSync('zstd', ['--version'], { stdio: 'ignore' });
      return (b) => execFileSync('zstd', ['-q', '-c'], { input: b });
    } catch {
      return undefined;
    }
  }
}

export function configFor(
  tars: Buffer[],
  platform: Platform = { os: 'linux', architecture: 'amd64' },
  extra: Partial<ImageConfig> = {},
): ImageConfig {
  return {
    created: '2024-01-01T00:00:00Z',
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: ['PATH=/usr/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
    history: [
      ...tars.map((_, i) => ({ created_by: `/bin/sh -c step ${i}` })),
      { created_by: '/bin/sh -c #(nop)  ENV X=1', empty_layer: true },
    ],
    ...extra,
  };
}

export function json(v: unknown): Buffer {
  return Buffer.from(JSON.stringify(v));
}

export interface OciImageSpec {
  tars: Buffer[];
  compress?: Compress;
  platform?: Platform;
  /** org.opencontainers.image.ref.name of its index entry. */
  tag?: string;
  config?: ImageConfig;
  /** Stored bytes per layer instead of compress(tar) (corrupt blobs in tests). */
  blobs?: Buffer[];
  /** Layer media type instead of the one for `compress`. */
  layerMediaType?: string;
}

export interface BuiltOci {
  members: Member[];
  manifestDigests: string[];
  /** Blob digests per image (as stored). */
  layerDigests: string[][];
}

function blob(members: Member[], data: Buffer): { digest: string; size: number } {
  const digest = sha256(data);
  const name = `blobs/sha256/${digest.slice(7)}`;
  if (!members.some((m) => m.name === name)) members.push({ name, data });
  return { digest, size: data.length };
}

export function mediaTypeFor(how: Compress): string {
  return how === 'gzip' ? LAYER_GZIP : how === 'zstd' ? LAYER_ZSTD : LAYER_TAR;
}

/** Blobs + manifest + config of one image; returns the manifest descriptor. */
export function addImage(
  members: Member[],
  spec: OciImageSpec,
): { desc: Record<string, unknown>; layerDigests: string[] } {
  const how = spec.compress ?? 'none';
  const config = spec.config ?? configFor(spec.tars, spec.platform);
  const layers = spec.tars.map((t, i) => ({
    mediaType: spec.layerMediaType ?? mediaTypeFor(how),
    ...blob(members, spec.blobs?.[i] ?? compress(t, how)),
  }));
  const cfg = blob(members, json(config));
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...cfg }, layers };
  const m = blob(members, json(manifest));
  const desc: Record<string, unknown> = { mediaType: OCI_MANIFEST, ...m };
  if (spec.platform) desc.platform = spec.platform;
  if (spec.tag) desc.annotations = { 'org.opencontainers.image.ref.name': spec.tag };
  return { desc, layerDigests: layers.map((l) => l.digest) };
}

/** An OCI image layout with one index entry per image (blobs first, like real writers). */
export function ociLayout(images: OciImageSpec[]): BuiltOci {
  const members: Member[] = [];
  const added = images.map((s) => addImage(members, s));
  members.push({ name: 'oci-layout', data: json({ imageLayoutVersion: '1.0.0' }) });
  members.push({
    name: 'index.json',
    data: json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: added.map((a) => a.desc) }),
  });
  return {
    members,
    manifestDigests: added.map((a) => a.desc.digest as string),
    layerDigests: added.map((a) => a.layerDigests),
  };
}

/** Docker ≥ 25 `docker save`: OCI layout with uncompressed blobs plus manifest.json. */
export function docker25Save(tars: Buffer[], repoTag = 'example.org/app:1'): BuiltOci {
  const members: Member[] = [];
  const { desc, layerDigests } = addImage(members, { tars });
  const config = configFor(tars);
  const cfgName = `blobs/sha256/${sha256(json(config)).slice(7)}`;
  desc.annotations = { 'io.containerd.image.name': 'example.org/app:1', 'org.opencontainers.image.ref.name': '1' };
  members.push({ name: 'index.json', data: json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [desc] }) });
  members.push({
    name: 'manifest.json',
    data: json([
      { Config: cfgName, RepoTags: [repoTag], Layers: layerDigests.map((d) => `blobs/sha256/${d.slice(7)}`) },
    ]),
  });
  members.push({ name: 'oci-layout', data: json({ imageLayoutVersion: '1.0.0' }) });
  return { members, manifestDigests: [desc.digest as string], layerDigests: [layerDigests] };
}

/**
 * containerd image store `docker save`: gzip blobs, index.json → a multi-platform index; only the
 * amd64 image's blobs are present (arm64's manifest is listed but missing), plus an attestation.
 */
export function containerdSave(tars: Buffer[], otherTars: Buffer[]): BuiltOci {
  const members: Member[] = [];
  const amd = addImage(members, { tars, compress: 'gzip', platform: { os: 'linux', architecture: 'amd64' } });
  const scratch: Member[] = [];
  const arm = addImage(scratch, {
    tars: otherTars,
    compress: 'gzip',
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  });
  const attest = {
    mediaType: OCI_MANIFEST,
    digest: 'sha256:' + 'a'.repeat(64),
    size: 100,
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: {
      'vnd.docker.reference.type': 'attestation-manifest',
      'vnd.docker.reference.digest': amd.desc.digest,
    },
  };
  const nested = blob(
    members,
    json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [amd.desc, arm.desc, attest] }),
  );
  members.push({
    name: 'index.json',
    data: json({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_INDEX,
          ...nested,
          annotations: {
            'io.containerd.image.name': 'docker.io/library/app:latest',
            'org.opencontainers.image.ref.name': 'latest',
          },
        },
      ],
    }),
  });
  members.push({ name: 'manifest.json', data: json([{ Config: 'x', RepoTags: ['app:latest'], Layers: [] }]) });
  members.push({ name: 'oci-layout', data: json({ imageLayoutVersion: '1.0.0' }) });
  return { members, manifestDigests: [amd.desc.digest as string], layerDigests: [amd.layerDigests] };
}

/**
 * Legacy `docker save` (Engine ≤ 24): <id>/layer.tar per layer; a layer that repeats is a symlink
 * to the first copy's layer.tar. `layerOrder` lists indexes into `tars` (repeats allowed).
 */
export function legacySave(
  tars: Buffer[],
  layerOrder = tars.map((_, i) => i),
  repoTags = ['example.org/app:1'],
): { members: Member[]; config: ImageConfig } {
  const used = layerOrder.map((i) => tars[i]);
  const config = configFor(used);
  const members: Member[] = [];
  const firstDir = new Map<number, string>();
  const layerNames: string[] = [];
  layerOrder.forEach((ti, pos) => {
    const id = sha256(Buffer.from(`layer-${pos}-${ti}`)).slice(7); // dir names are NOT diffIDs
    members.push({ name: `${id}/VERSION`, data: Buffer.from('1.0') });
    members.push({ name: `${id}/json`, data: json({ id }) });
    const first = firstDir.get(ti);
    if (first) members.push({ name: `${id}/layer.tar`, symlink: `../${first}/layer.tar` });
    else {
      members.push({ name: `${id}/layer.tar`, data: tars[ti] });
      firstDir.set(ti, id);
    }
    layerNames.push(`${id}/layer.tar`);
  });
  const cfgData = json(config);
  const cfgName = `${sha256(cfgData).slice(7)}.json`;
  members.push({ name: cfgName, data: cfgData });
  members.push({ name: 'manifest.json', data: json([{ Config: cfgName, RepoTags: repoTags, Layers: layerNames }]) });
  members.push({ name: 'repositories', data: json({}) });
  return { members, config };
}

/**
 * A `docker save` archive of one layer whose config is `config` byte for byte (for configs whose
 * spelling is the point: keys in other cases, repeated keys), tagged `tag`.
 */
export async function oneLayerArchive(layer: Buffer, config: Buffer, tag: string): Promise<Buffer> {
  const layerName = `${sha256(layer).slice(7)}/layer.tar`;
  const configName = `${sha256(config).slice(7)}.json`;
  return membersToTar([
    { name: layerName, data: layer },
    { name: configName, data: config },
    { name: 'manifest.json', data: json([{ Config: configName, RepoTags: [tag], Layers: [layerName] }]) },
  ]);
}

export async function membersToTar(members: Member[]): Promise<Buffer> {
  const specs: TarSpec[] = [];
  const dirs = new Set<string>();
  for (const m of members) {
    const parts = m.name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/') + '/';
      if (!dirs.has(d)) {
        dirs.add(d);
        specs.push({ name: d, type: 'directory' });
      }
    }
    if ('data' in m) specs.push({ name: m.name, content: m.data });
    else if ('symlink' in m) specs.push({ name: m.name, type: 'symlink', linkname: m.symlink });
    else specs.push({ name: m.name, type: 'link', linkname: m.hardlink });
  }
  return buildTar(specs);
}

export async function membersToDir(members: Member[], dir: string): Promise<void> {
  for (const m of members) {
    const p = path.join(dir, m.name);
    await mkdir(path.dirname(p), { recursive: true });
    if ('data' in m) await writeFile(p, m.data);
    else if ('symlink' in m) await symlink(m.symlink, p);
    else throw new Error('hardlinks in dirs are not needed by the tests');
  }
}
