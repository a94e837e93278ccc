/**
 * The registry source and `registry audit` against REAL registries this test starts (Debian's
 * distribution registry): (a) open, plain HTTP on loopback; (b) htpasswd (bcrypt) behind TLS with
 * a CA made here with openssl; (c) token auth with a JWT issuer in this process that the real
 * registry validates. Images are built in-process, written as OCI layouts and pushed with skopeo.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SourceOptions } from '../../src/cli/source-options.js';
import { ImageModel } from '../../src/engine/image.js';
import { LayerlensError, type ImageReader } from '../../src/engine/types.js';
import { parseReference } from '../../src/reference/parse.js';
import { openOciLayout } from '../../src/sources/oci-layout/dir.js';
import { openRegistryImage, provenanceFindings, type RegistryOpenExtras } from '../../src/sources/registry/index.js';
// import { auditRegistry } from '../../src/audit/registry-audit.js';
// import { runRegistryAudit } from '../../src/cli/registry-audit.js';
import { dumpModel } from '../registry/helpers/dump.js';
import { allBlobs, buildAttestation, buildCosignSignature, buildImage, buildIndex, writeLayout, skopeoPush, type BuiltManifest, type LayerSpec } from '../registry/helpers/oci-image.js';
import { makePki, missingTools, startBlobCdn, startProxy, startRegistry, startTokenIssuer, type Pki, type RunningRegistry, type TokenIssuer } from '../registry/helpers/services.js';

const skip = missingTools('docker-registry', 'skopeo', 'openssl', 'htpasswd');
const FAST_RETRY = { retries: 3, baseDelayMs: 20, maxDelayMs: 200 };

function opts(o: Partial<SourceOptions> = {}): SourceOptions {
  return { source: 'registry', pull: false, insecure: false, plainHttp: false, ...o };
}

/** Extras that keep the user's real ~/.docker and /etc/docker/certs.d out of the test. */
function extras(work: string, o: RegistryOpenExtras = {}): RegistryOpenExtras {
  return { env: { PATH: process.env.PATH }, homedir: path.join(work, 'empty-home'), certsDir: path.join(work, 'no-certs.d'), retry: FAST_RETRY, ...o };
}

async function load(reader: ImageReader, concurrency = 3): Promise<ImageModel> {
  const model = new ImageModel();
  try {
    await model.load(reader, { concurrency });
  } finally {
    await reader.close();
  }
  return model;
}

function testLayers(): LayerSpec[] {
  const fakeKey = `-----BEGIN OPENSSH PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;
  return [
    {
      createdBy: 'ADD rootfs /',
      entries: [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
        { name: 'usr/', type: 'directory' },
        { name: 'usr/bin/', type: 'directory' },
        { name: 'usr/bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755 },
        { name: 'usr/bin/alias', type: 'symlink', linkname: 'tool' },
        { name: 'usr/bin/tool2', type: 'link', linkname: 'usr/bin/tool' },
        { name: 'root/.ssh/id_rsa', content: fakeKey, mode: 0o600 },
      ],
    },
    {
      createdBy: 'RUN rm /root/.ssh/id_rsa && adduser app',
      compress: 'none',
      entries: [
        { name: 'root/.ssh/.wh.id_rsa' },
        { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' },
        { name: 'opt/app/', type: 'directory', uid: 1000, gid: 1000 },
        { name: 'opt/app/old.txt', content: 'old' },
      ],
    },
    {
      createdBy: 'COPY app /opt/app',
      entries: [
        { name: 'opt/app/.wh..wh..opq' },
        { name: 'opt/app/new.txt', content: 'new' },
        // Big and incompressible: several MiB so streams span many chunks (and resume tests cut mid-blob).
        { name: 'opt/app/data.bin', content: randomBytes(3 << 20) },
      ],
    },
    {
      createdBy: 'RUN chmod u+s /usr/bin/tool',
      entries: [{ name: 'usr/bin/tool', content: '#!/bin/sh\necho tool v2\n', mode: 0o4755 }],
    },
  ];
}

describe('registry source against real registries', { skip }, () => {
  let work: string;
  let pki: Pki;
  let img: BuiltManifest;
  let arm: BuiltManifest;
  let layout: string;
  let indexLayout: string;
  let sigLayout: string;
  let layoutDump: string[];
  const regs: RunningRegistry[] = [];
  let open: RunningRegistry;
  let tlsReg: RunningRegistry;
  let tokReg: RunningRegistry;
  let issuer: TokenIssuer;
  const user = 'alice';
  const password = 'pw-' + randomBytes(12).toString('hex');

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'layerlens-registry-it-'));
    pki = await makePki(path.join(work, 'pki'));
    const layers = testLayers();
    img = await buildImage(layers, { os: 'linux', architecture: 'amd64' }, { Labels: { 'org.example.test': 'yes' } });
    arm = await buildImage(layers.slice(0, 2), { os: 'linux', architecture: 'arm64', variant: 'v8' });

    layout = path.join(work, 'layout');
    writeLayout(layout, 'v1', img.manifest, allBlobs(img).slice(1));
    const att = buildAttestation(img.manifest);
    const index = buildIndex([img, arm], [{ att, subject: img }]);
    indexLayout = path.join(work, 'index-layout');
    writeLayout(indexLayout, 'multi', index, [...allBlobs(img), ...allBlobs(arm), ...allBlobs(att)]);

    open = await startRegistry({ dir: path.join(work, 'reg-open'), deleteEnabled: true });
    regs.push(open);
    await skopeoPush(layout, 'v1', 'team/app:v1', { host: open.host, workdir: work });
    await skopeoPush(layout, 'v1', 'team/app-docker:v1', { host: open.host, workdir: work }, { format: 'v2s2' });
    await skopeoPush(indexLayout, 'multi', 'team/multi:1', { host: open.host, workdir: work }, { all: true });
    // A cosign-style signature for the single-platform image.
    const sig = buildCosignSignature(`${open.host}/team/app`, img.manifest.digest);
    sigLayout = path.join(work, 'sig-layout');
    writeLayout(sigLayout, 'sig', sig.manifest, allBlobs(sig).slice(1));
    await skopeoPush(sigLayout, 'sig', `team/app:${img.manifest.digest.replace(':', '-')}.sig`, { host: open.host, workdir: work });

    layoutDump = dumpModel(await load(await openOciLayout(layout, { reference: layout, tag: 'v1' }), 1));
  });

  after(async () => {
    for (const r of regs) await r.stop();
    await issuer?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('(a) open registry, plain HTTP on loopback', () => {
    test('OCI manifest: same tree as the OCI layout, plain HTTP noted, signature found', async () => {
      const reader = await openRegistryImage(parseReference(`${open.host}/team/app:v1`), opts(), extras(work));
      const meta = await reader.meta();
      assert.equal(meta.source, 'registry');
      assert.equal(meta.digest, img.manifest.digest);
      assert.equal(meta.configDigest, img.config.digest);
      assert.match(meta.notes!.join('\n'), /plain HTTP to 127\.0\.0\.1:\d+ \(loopback/);
      assert.equal(meta.provenance?.pinnedReference, `${open.host}/team/app@${img.manifest.digest}`);
      const sigs = meta.provenance!.artifacts.filter((a) => a.kind === 'signature');
      assert.equal(sigs.length, 1);
      assert.equal(sigs[0].via, 'cosign-tag');
      assert.equal(meta.provenance!.referrersApi, 'unsupported');
      assert.deepEqual(provenanceFindings(meta), []);
      const model = await load(reader);
      assert.deepEqual(dumpModel(model), layoutDump);
      assert.ok(model.tree.lookupPath('/opt/app/data.bin'));
    });

    test('Docker v2 schema 2 manifest (skopeo --format v2s2): same tree', async () => {
      const reader = await openRegistryImage(`${open.host}/team/app-docker:v1`, opts(), extras(work));
      const meta = await reader.meta();
      assert.match(meta.notes!.join('\n'), /application\/vnd\.docker\.distribution\.manifest\.v2\+json/);
      assert.equal(provenanceFindings(meta).length, 1, 'unsigned → one info finding');
      assert.equal(provenanceFindings(meta)[0].severity, 'info');
      assert.match(provenanceFindings(meta)[0].message, /finds signatures but does not verify them/);
      assert.deepEqual(dumpModel(await load(reader)), layoutDump);
    });

    test('multi-platform index: host/--platform choice, arm64 ↔ arm64/v8, attestation skipped and listed', async () => {
      const amd = await openRegistryImage(`${open.host}/team/multi:1`, opts({ platform: 'linux/amd64' }), extras(work));
      const m1 = await amd.meta();
      assert.equal(m1.digest, img.manifest.digest);
      assert.equal(m1.provenance?.indexDigest?.startsWith('sha256:'), true);
      assert.equal(m1.provenance!.artifacts.filter((a) => a.via === 'index-attestation').length, 1);
      assert.deepEqual(dumpModel(await load(amd)), layoutDump);

      const a64 = await openRegistryImage(`${open.host}/team/multi:1`, opts({ platform: 'linux/arm64' }), extras(work));
      assert.equal((await a64.meta()).digest, arm.manifest.digest);
      await a64.close();

      await assert.rejects(
        openRegistryImage(`${open.host}/team/multi:1`, opts({ platform: 'linux/s390x' }), extras(work)),
        (e: Error) => e instanceof LayerlensError && /no image for linux\/s390x; available: linux\/amd64, linux\/arm64\/v8$/.test(e.message),
      );
    });

    test('pinned by digest and reopenLayer re-fetches the blob', async () => {
      const reader = await openRegistryImage(`${open.host}/team/app@${img.manifest.digest}`, opts(), extras(work));
      const model = new ImageModel();
      await model.load(reader, { concurrency: 2 });
      const s = await model.reopenLayer(3);
      const chunks: Buffer[] = [];
      for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
      assert.deepEqual(Buffer.concat(chunks), img.layers[3].data);
      await reader.close();
    });

    test('not found and unreachable are one-line errors', async () => {
      await assert.rejects(openRegistryImage(`${open.host}/team/app:nope`, opts(), extras(work)), /manifest of .*team\/app:nope: not found on .*MANIFEST_UNKNOWN/);
      await assert.rejects(openRegistryImage('127.0.0.1:1/x:y', opts(), extras(work)), /cannot reach registry 127\.0\.0\.1:1/);
    });
  });
});
