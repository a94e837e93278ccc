/**
 * OCI image layout directories: index walking (nested indexes, attestations), platform selection,
 * tags (ref.name annotations, DIR:tag), blob verification, and bad layouts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import { ImageModel } from '../../src/engine/image.js';
import type { ImageReader } from '../../src/engine/types.js';
import { openOciLayout } from '../../src/sources/oci-layout/dir.js';
import { parseJson } from '../../src/sources/oci-layout/store.js';
import { formatPlatform, hostPlatform, parsePlatform, platformScore } from '../../src/sources/oci-layout/platform.js';
import { nameMatches } from '../../src/sources/oci-layout/names.js';
import { openImage } from '../../src/sources/open.js';
import * as A from '../support/archives.js';
import { canonicalDump } from '../support/dump.js';
import { rejectsWith } from '../support/errors.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-oci-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
async function dir(members: A.Member[]): Promise<string> {
  const d = path.join(tmp, `l${n++}`);
  await A.membersToDir(members, d);
  return d;
}
const auto = { source: 'auto' as const, pull: false, insecure: false, plainHttp: false };

const tars = await A.sampleLayerTars();
const armTars = [await buildTar([{ name: 'arm64-only', content: 'arm64\n' }])];
const armv7Tars = [await buildTar([{ name: 'armv7-only', content: 'armv7\n' }])];

async function load(reader: ImageReader, concurrency = 1): Promise<ImageModel> {
  const m = new ImageModel();
  await m.load(reader, { concurrency });
  return m;
}

const reference = await (async () =>
  load(await openOciLayout(await dir(A.ociLayout([{ tars }]).members), { reference: 'x' })))();
const want = canonicalDump(reference);

describe('layouts with every layer compression give the same tree', () => {
  for (const how of ['none', 'gzip', 'zstd'] as const) {
    test(how, async (t) => {
      if (how === 'zstd' && !A.zstdCompressor()) return t.skip('no zstd compressor here');
      const d = await dir(A.ociLayout([{ tars, compress: how, tag: 'v1' }]).members);
      const reader = await openOciLayout(d, { reference: d });
      const meta = await reader.meta();
      assert.equal(meta.source, 'oci');
      assert.equal(meta.layers[0].mediaType, A.mediaTypeFor(how));
      assert.deepEqual(meta.repoTags, ['v1']);
      assert.equal(canonicalDump(await load(reader, 3)), want);
    });
  }
});

test('metadata needs no layer bytes: meta() is complete before any layer is read', async () => {
  const built = A.ociLayout([{ tars, compress: 'gzip' }]);
  const d = await dir(built.members);
  const reader = await openOciLayout(d, { reference: d });
  // Clobber every layer blob after opening: meta() must not care, loading must.
  for (const dg of built.layerDigests[0]) writeFileSync(path.join(d, 'blobs/sha256', dg.slice(7)), 'not a layer');
  const meta = await reader.meta();
  assert.deepEqual(
    meta.layers.map((l) => l.diffId),
    tars.map(sha256),
  );
  assert.equal(meta.digest, built.manifestDigests[0]);
  await rejectsWith(load(reader), 'DIGEST_MISMATCH', /layer 0: stored blob does not match its digest/);
});

test('reopenLayer streams the stored blob again', async () => {
  const d = await dir(A.ociLayout([{ tars, compress: 'gzip' }]).members);
  const reader = await openOciLayout(d, { reference: d });
  const chunks: Buffer[] = [];
  for await (const c of (await reader.reopenLayer!(2)) as AsyncIterable<Buffer>) chunks.push(c);
  assert.deepEqual(Buffer.concat(chunks), A.compress(tars[2], 'gzip'));
});

describe('tags', () => {
  const layout = () =>
    A.ociLayout([
      { tars: tars.slice(0, 1), tag: 'one' },
      { tars: tars.slice(0, 2), tag: 'two' },
    ]);
  test('DIR:tag picks an image (through openImage auto too)', async () => {
    const d = await dir(layout().members);
    assert.equal((await (await openOciLayout(d, { reference: d, tag: 'two' })).meta()).layers.length, 2);
    const r = await openImage(`${d}:one`, auto);
    const meta = await r.meta();
    assert.equal(meta.layers.length, 1);
    assert.equal(meta.source, 'oci');
    assert.equal(meta.reference, `${d}:one`);
  });
  test('several images and no tag: the error lists the tags', async () => {
    const d = await dir(layout().members);
    await rejectsWith(
      openOciLayout(d, { reference: d }),
      'AMBIGUOUS',
      /holds 2 images for linux\/amd64; pick one as PATH:TAG — tags: one, two/,
    );
    await rejectsWith(
      openOciLayout(d, { reference: d, tag: 'three' }),
      'NOT_FOUND',
      /has no image tagged "three"; tags: one, two/,
    );
  });
  test('names match exactly, by bare tag, or by canonical reference', () => {
    assert.ok(nameMatches('latest', 'docker.io/library/nginx:latest'));
    assert.ok(nameMatches('nginx', 'docker.io/library/nginx:latest'));
    assert.ok(nameMatches('nginx:latest', 'nginx'));
    assert.ok(!nameMatches('redis', 'docker.io/library/nginx:latest'));
    assert.ok(!nameMatches('1', 'example.org/app:2'));
  });
});

describe('platforms', () => {
  /** A multi-platform image: nested index with amd64, arm64/v8, arm/v7 and an attestation. */
  function multi(): A.Member[] {
    const members: A.Member[] = [];
    const amd = A.addImage(members, { tars, platform: { os: 'linux', architecture: 'amd64' } });
    const arm64 = A.addImage(members, {
      tars: armTars,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    const armv7 = A.addImage(members, {
      tars: armv7Tars,
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    });
    const att = A.addImage(members, { tars: [] });
    att.desc.platform = { os: 'unknown', architecture: 'unknown' };
    att.desc.annotations = { 'vnd.docker.reference.type': 'attestation-manifest' };
    const idx = A.json({
      schemaVersion: 2,
      mediaType: A.OCI_INDEX,
      manifests: [amd.desc, arm64.desc, armv7.desc, att.desc],
    });
    const idxDigest = sha256(idx);
    members.push({ name: `blobs/sha256/${idxDigest.slice(7)}`, data: idx });
    members.push({ name: 'oci-layout', data: A.json({ imageLayoutVersion: '1.0.0' }) });
    members.push({
      name: 'index.json',
      data: A.json({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: A.OCI_INDEX,
            digest: idxDigest,
            size: idx.length,
            annotations: { 'org.opencontainers.image.ref.name': 'multi' },
          },
        ],
      }),
    });
    return members;
  }
  test('--platform picks from a nested index; attestations are skipped', async () => {
    const d = await dir(multi());
    const pick = async (platform?: string) => await (await openOciLayout(d, { reference: d, platform })).meta();
    assert.equal((await pick('linux/arm64')).platform?.architecture, 'arm64');
    assert.equal((await pick('linux/arm64/v8')).layers.length, 1);
    assert.equal(formatPlatform((await pick('linux/arm')).platform), 'linux/arm/v7');
    assert.equal((await pick('linux/amd64')).layers.length, 3);
    await rejectsWith(
      pick('linux/s390x'),
      'PLATFORM',
      /has no image for linux\/s390x; available: linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7; choose one with --platform/,
    );
    await rejectsWith(pick('linux/arm/v6'), 'PLATFORM', /no image for linux\/arm\/v6/);
    await rejectsWith(pick('amd64'), 'BAD_PLATFORM', /expected os\/arch\[\/variant\]/);
    // Default: the host's platform.
    const host = hostPlatform();
    const def = await pick();
    if (['amd64', 'arm64'].includes(host.architecture)) assert.equal(def.platform?.architecture, host.architecture);
    // The chosen arm64 image really is the arm64 one.
    const m = await load(await openOciLayout(d, { reference: d, platform: 'linux/arm64' }));
    assert.ok(m.tree.root.children?.has('arm64-only'));
  });
  test('a nested index spelled as Go reads it otherwise (a key in another case) is reported as its own document', async () => {
    const members = multi();
    const text = (m: A.Member) => ('data' in m ? m.data.toString() : '');
    // The nested index again, its list under "MANIFESTS" (Go's decoding matches it to manifests).
    const at = members.findIndex(
      (m) => m.name !== 'index.json' && text(m).includes('"manifests"') && text(m).includes('attestation-manifest'),
    );
    const spelled = Buffer.from(text(members[at]).replace('"manifests"', '"MANIFESTS"'));
    const digest = sha256(spelled);
    const old = `sha256:${members[at].name.split('/').pop()}`;
    members[at] = { name: `blobs/sha256/${digest.slice(7)}`, data: spelled };
    const top = members.findIndex((m) => m.name === 'index.json');
    members[top] = {
      name: 'index.json',
      data: Buffer.from(
        text(members[top])
          .replace(old, digest)
          .replace(/"size":\s*\d+/, `"size":${spelled.length}`),
      ),
    };
    const meta = await (await openOciLayout(await dir(members), { reference: 'x', platform: 'linux/arm64' })).meta();
    assert.equal(meta.platform?.architecture, 'arm64', 'read as Go reads it: the list is there');
    assert.deepEqual(
      meta.keyVariants?.map((v) => [v.document, v.written, v.field]),
      [[`image index ${digest.slice(0, 19)}`, 'MANIFESTS', 'manifests']],
    );
  });
  test('host platform and matching rules', () => {
    const host = hostPlatform();
    assert.equal(host.os, process.platform === 'win32' ? 'windows' : 'linux');
    assert.equal(
      host.architecture,
      ({ x64: 'amd64', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[process.arch] ?? host.architecture,
    );
    assert.deepEqual(parsePlatform('Linux/x86_64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(parsePlatform('linux/aarch64'), { os: 'linux', architecture: 'arm64' });
    const p = (s: string) => parsePlatform(s);
    assert.ok(platformScore(p('linux/arm64'), p('linux/arm64/v8')) > 0);
    assert.ok(platformScore(p('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' }) > 0);
    assert.equal(platformScore(p('linux/arm/v7'), p('linux/arm/v6')), 0);
    assert.equal(platformScore(p('linux/amd64'), p('linux/arm64')), 0);
    assert.equal(platformScore(p('windows/amd64'), p('linux/amd64')), 0);
    assert.ok(
      platformScore(p('linux/arm64/v8'), p('linux/arm64/v8')) >
        platformScore(p('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' }),
    );
  });
});

describe('extracted docker save directories are layouts too', () => {
  test('legacy shape with symlinked duplicate layer.tar', async () => {
    const d = await dir(A.legacySave(tars, [0, 1, 2, 0]).members);
    const m = await load(await openImage(d, auto), 2);
    assert.equal(m.layers.length, 4);
    assert.equal(m.meta!.source, 'oci');
  });
  test('manifest paths cannot leave the directory', async () => {
    const built = A.legacySave(tars);
    const members = built.members.map((x) =>
      x.name === 'manifest.json'
        ? {
            name: x.name,
            data: A.json([
              {
                Config: built.members.find((m) => /^[0-9a-f]{64}\.json$/.test(m.name))!.name,
                RepoTags: [],
                Layers: ['../../../../etc/passwd', 'a/layer.tar', 'b/layer.tar'],
              },
            ]),
          }
        : x,
    );
    const d = await dir(members);
    await rejectsWith(
      openOciLayout(d, { reference: d }),
      'MISSING_BLOB',
      /layer 0 \(\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd, diffID sha256:[0-9a-f]{12}\) is missing/,
    );
  });
});

describe('members that are symlinks (issue 13 item 12)', () => {
  test('a blob linked out of the layout is refused, and none of its bytes are quoted', async () => {
    // A file outside the layout that is not JSON: its first bytes must never reach a message.
    const outside = path.join(tmp, 'shadow-like');
    writeFileSync(outside, 'root:$6$SECRET-MARKER-0123456789:19000:0:99999:7:::\n');
    const built = A.ociLayout([{ tars }]);
    const d = await dir(built.members);
    const index = JSON.parse(readFileSync(path.join(d, 'index.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(path.join(d, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'));
    const config = path.join(d, 'blobs/sha256', manifest.config.digest.slice(7));
    rmSync(config);
    symlinkSync(outside, config);
    const err = await rejectsWith(
      openOciLayout(d, { reference: d }),
      'UNSAFE_PATH',
      /blobs\/sha256\/[0-9a-f]{64} is a symlink to a file outside the layout directory: refused/,
    );
    assert.doesNotMatch(err.message, /SECRET-MARKER|root:/);
    // Not JSON at all, inside the layout: said without quoting it either.
    rmSync(config);
    writeFileSync(config, 'root:$6$SECRET-MARKER-0123456789:19000:0:99999:7:::\n');
    const bad = await rejectsWith(openOciLayout(d, { reference: d }), 'DIGEST_MISMATCH', /image config/);
    assert.doesNotMatch(bad.message, /SECRET-MARKER|root:/);
  });
  test('a document that is not JSON is said to be so by where it breaks, never by its bytes', () => {
    for (const text of ['root:$6$SECRET-MARKER:19000', '{"a": SECRET-MARKER}', '{"a":', '']) {
      assert.throws(
        () => parseJson(Buffer.from(text), 'image config x'),
        (err: Error) =>
          /^image config x is not valid JSON \((error at byte \d+|it ends early|syntax error)\)$/.test(err.message) &&
          !err.message.includes('SECRET'),
      );
    }
  });
  test('a symlink that stays inside the layout is followed (docker save links repeated layers)', async () => {
    const d = await dir(A.ociLayout([{ tars }]).members);
    const moved = path.join(d, 'elsewhere');
    mkdirSync(moved);
    const index = path.join(d, 'index.json');
    renameSync(index, path.join(moved, 'index.json'));
    symlinkSync('elsewhere/index.json', index);
    assert.equal(canonicalDump(await load(await openOciLayout(d, { reference: d }))), want);
  });
});

describe('bad layouts are one-line errors', () => {
  test('missing directory, empty directory, a file', async () => {
    await rejectsWith(
      openOciLayout(path.join(tmp, 'nope'), { reference: 'x' }),
      'NOT_FOUND',
      /nope: no such file or directory/,
    );
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    await rejectsWith(
      openOciLayout(empty, { reference: 'x' }),
      'NOT_IMAGE',
      /is not an OCI image layout \(no oci-layout or index\.json\)/,
    );
    const f = path.join(tmp, 'file');
    writeFileSync(f, 'x');
    await rejectsWith(openOciLayout(f, { reference: 'x' }), 'NOT_IMAGE', /is not a directory/);
  });
  test('oci-layout without index.json; unsupported layout version', async () => {
    await rejectsWith(
      openOciLayout(await dir([{ name: 'oci-layout', data: A.json({ imageLayoutVersion: '1.0.0' }) }]), {
        reference: 'x',
      }),
      'NOT_IMAGE',
      /has an oci-layout file but no index\.json/,
    );
    const members = A.ociLayout([{ tars }]).members.map((m) =>
      m.name === 'oci-layout' ? { name: m.name, data: A.json({ imageLayoutVersion: '9.0' }) } : m,
    );
    await rejectsWith(
      openOciLayout(await dir(members), { reference: 'x' }),
      'UNSUPPORTED',
      /unsupported OCI layout version "9\.0"/,
    );
  });
  test('missing manifest, config and layer blobs name their digests', async () => {
    const built = A.ociLayout([{ tars, compress: 'gzip' }]);
    const without = (digest: string) => built.members.filter((m) => m.name !== `blobs/sha256/${digest.slice(7)}`);
    const layer = built.layerDigests[0][2];
    await rejectsWith(
      openOciLayout(await dir(without(layer)), { reference: 'x' }),
      'MISSING_BLOB',
      new RegExp(`layer 2 blob ${layer} is missing`),
    );
    const mdg = built.manifestDigests[0];
    await rejectsWith(
      openOciLayout(await dir(without(mdg)), { reference: 'x' }),
      'MISSING_BLOB',
      new RegExp(`manifest blob ${mdg} is missing`),
    );
    const cfgDigest = sha256(A.json(A.configFor(tars)));
    await rejectsWith(
      openOciLayout(await dir(without(cfgDigest)), { reference: 'x' }),
      'MISSING_BLOB',
      new RegExp(`image config blob ${cfgDigest} is missing`),
    );
  });
  test('a tampered manifest is caught by its digest; an artifact is not an image', async () => {
    const built = A.ociLayout([{ tars }]);
    const mName = `blobs/sha256/${built.manifestDigests[0].slice(7)}`;
    const tampered = built.members.map((m) =>
      m.name === mName && 'data' in m ? { name: m.name, data: Buffer.concat([m.data, Buffer.from(' ')]) } : m,
    );
    await rejectsWith(
      openOciLayout(await dir(tampered), { reference: 'x' }),
      'DIGEST_MISMATCH',
      /manifest sha256:[0-9a-f]{12} in .* does not match its digest/,
    );

    const members: A.Member[] = [];
    const cfg = A.json({ chart: 'x' });
    const cfgD = sha256(cfg);
    members.push({ name: `blobs/sha256/${cfgD.slice(7)}`, data: cfg });
    const man = A.json({
      schemaVersion: 2,
      mediaType: A.OCI_MANIFEST,
      config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: cfgD, size: cfg.length },
      layers: [],
    });
    members.push({ name: `blobs/sha256/${sha256(man).slice(7)}`, data: man });
    members.push({ name: 'oci-layout', data: A.json({ imageLayoutVersion: '1.0.0' }) });
    members.push({
      name: 'index.json',
      data: A.json({
        schemaVersion: 2,
        manifests: [{ mediaType: A.OCI_MANIFEST, digest: sha256(man), size: man.length }],
      }),
    });
    await rejectsWith(
      openOciLayout(await dir(members), { reference: 'x' }),
      'UNSUPPORTED_MEDIA_TYPE',
      /is not a container image: its config has media type application\/vnd\.cncf\.helm\.config\.v1\+json/,
    );
  });
  test('a corrupt zstd layer whose stored digest is right', async (t) => {
    if (!A.zstdCompressor()) return t.skip('no zstd compressor here');
    const bad = Buffer.from(A.compress(tars[0], 'zstd'));
    for (let i = 20; i < bad.length - 8; i++) bad[i] ^= 0x3c;
    const d = await dir(A.ociLayout([{ tars: [tars[0]], compress: 'zstd', blobs: [bad] }]).members);
    await rejectsWith(load(await openOciLayout(d, { reference: 'x' })), 'CORRUPT', /layer 0: corrupt zstd data/);
  });
});
