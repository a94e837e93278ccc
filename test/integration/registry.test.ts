/**
 * The registry source and `registry audit` against REAL registries this test starts (Debian's
 * distribution registry): (a) open, plain HTTP on loopback; (b) htpasswd (bcrypt) behind TLS with
 * a CA made here with openssl; (c) token auth with a JWT issuer in this process that the real
 * registry validates. Images are built in-process, written as OCI layouts and pushed with skopeo.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SourceOptions } from '../../src/sources/options.js';
import { ImageModel } from '../../src/engine/image.js';
import { LayerlensError } from '../../src/errors/index.js';
import type { ImageReader } from '../../src/engine/types.js';
import { sha256 } from '../../src/engine/build-tar.js';
import { parseReference } from '../../src/reference/parse.js';
import { openOciLayout } from '../../src/sources/oci-layout/dir.js';
import { provenanceFindings } from '../../src/findings/signatures.js';
import { openRegistryImage, type RegistryOpenExtras } from '../../src/sources/registry/index.js';
import { fetchWorkerReady, fetchWorkerStats } from '../../src/sources/registry/fetch-worker.js';
import { auditRegistry } from '../../src/audit/registry-audit.js';
import { dumpModel } from '../support/dump-model.js';
import {
  allBlobs,
  buildAttestation,
  buildCosignSignature,
  buildImage,
  buildIndex,
  writeLayout,
  skopeoPush,
  type BuiltManifest,
  type LayerSpec,
} from '../support/oci-image.js';
import {
  makePki,
  missingTools,
  startBlobCdn,
  startProxy,
  startRegistry,
  startTokenIssuer,
  type Pki,
  type RunningRegistry,
  type TokenIssuer,
} from '../support/services.js';

const skip = missingTools('docker-registry', 'skopeo', 'openssl', 'htpasswd');
const FAST_RETRY = { retries: 3, baseDelayMs: 20, maxDelayMs: 200 };

function opts(o: Partial<SourceOptions> = {}): SourceOptions {
  return { source: 'registry', pull: false, insecure: false, plainHttp: false, ...o };
}

/** Extras that keep the user's real ~/.docker and /etc/docker/certs.d out of the test. */
function extras(work: string, o: RegistryOpenExtras = {}): RegistryOpenExtras {
  return {
    env: { PATH: process.env.PATH },
    homedir: path.join(work, 'empty-home'),
    certsDir: path.join(work, 'no-certs.d'),
    retry: FAST_RETRY,
    ...o,
  };
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
  const identityToken = 'idt-' + randomBytes(16).toString('hex');

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
    // The same index spelled as Go reads it alike: its list under "Manifests" (pushed as written).
    const spelled = Buffer.from(index.data.toString().replace('"manifests"', '"Manifests"'));
    const variant = { ...index, data: spelled, digest: `sha256:${createHash('sha256').update(spelled).digest('hex')}` };
    const variantLayout = path.join(work, 'variant-layout');
    writeLayout(variantLayout, 'multi', variant, [...allBlobs(img), ...allBlobs(arm), ...allBlobs(att)]);
    await skopeoPush(variantLayout, 'multi', 'team/multi-variant:1', { host: open.host, workdir: work }, { all: true });
    // A cosign-style signature for the single-platform image.
    const sig = buildCosignSignature(`${open.host}/team/app`, img.manifest.digest);
    sigLayout = path.join(work, 'sig-layout');
    writeLayout(sigLayout, 'sig', sig.manifest, allBlobs(sig).slice(1));
    await skopeoPush(sigLayout, 'sig', `team/app:${img.manifest.digest.replace(':', '-')}.sig`, {
      host: open.host,
      workdir: work,
    });

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

    test('an index spelled with a key in another case: read as Go reads it, and reported', async () => {
      const r = await openRegistryImage(
        `${open.host}/team/multi-variant:1`,
        opts({ platform: 'linux/arm64' }),
        extras(work),
      );
      const m = await r.meta();
      await r.close();
      assert.equal(m.digest, arm.manifest.digest, 'the list under "Manifests" is the list');
      assert.deepEqual(
        m.keyVariants?.map((v) => [v.document, v.written, v.field]),
        [['image index', 'Manifests', 'manifests']],
      );
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
        (e: Error) =>
          e instanceof LayerlensError &&
          /no image for linux\/s390x; available: linux\/amd64, linux\/arm64\/v8$/.test(e.message),
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

    test('a 32 MiB layer through the download worker: its batches are written again, and what it makes new stays within its window', async () => {
      const big = randomBytes(32 << 20);
      const image = await buildImage([{ entries: [{ name: 'big.bin', content: big }], level: 1 }]);
      const dir = path.join(work, 'big-layout');
      writeLayout(dir, 'big', image.manifest, allBlobs(image).slice(1));
      await skopeoPush(dir, 'big', 'team/big:1', { host: open.host, workdir: work });
      assert.equal(await fetchWorkerReady(), true);
      const before = (await fetchWorkerStats())!;
      const model = await load(await openRegistryImage(`${open.host}/team/big:1`, opts(), extras(work)), 1);
      const after = (await fetchWorkerStats())!;
      assert.equal(model.layers[0].state, 'done');
      assert.ok(model.tree.lookupPath('/big.bin'));
      const made = after.made - before.made;
      const reused = after.reused - before.reused;
      // ~32 batches posted: the memory of most is memory the engine gave back (sent back with the
      // reports of its reads), and what is made new is what is in flight at once: the worker's
      // window, the blob stream's read-ahead and what the decoder holds.
      assert.ok(made + reused >= 32, `${made} made + ${reused} reused batches for 32 MiB`);
      assert.ok(reused >= 20, `only ${reused} of ${made + reused} batches written again`);
      assert.ok(made <= 12, `${made} batches made new: more than the window and the read-ahead hold`);
    });

    test('not found and unreachable are one-line errors', async () => {
      await assert.rejects(
        openRegistryImage(`${open.host}/team/app:nope`, opts(), extras(work)),
        /manifest of .*team\/app:nope: not found on .*MANIFEST_UNKNOWN/,
      );
      await assert.rejects(
        openRegistryImage('127.0.0.1:1/x:y', opts(), extras(work)),
        /cannot reach registry 127\.0\.0\.1:1/,
      );
    });

    test('a tampered blob in the registry storage is an error (digest checked while streaming)', async () => {
      // Unique content so no other test's blob is touched (storage is content-addressed).
      const t = await buildImage([
        {
          compress: 'none',
          entries: [
            { name: 'tamper/', type: 'directory' },
            { name: 'tamper/file.txt', content: 'original ' + randomBytes(8).toString('hex') + '\n'.repeat(2000) },
          ],
        },
        { entries: [{ name: 'tamper/gz.bin', content: randomBytes(200_000) }] },
      ]);
      const dir = path.join(work, 'tamper-layout');
      writeLayout(dir, 't', t.manifest, allBlobs(t).slice(1));
      await skopeoPush(dir, 't', 'team/tamper:t', { host: open.host, workdir: work });
      // Same length, one byte changed inside the file content of the uncompressed layer.
      const f0 = open.blobFile(t.layers[0].digest);
      const b0 = readFileSync(f0);
      const at = b0.indexOf('original ') + 3;
      b0[at] ^= 0x20;
      writeFileSync(f0, b0);
      const err = await load(await openRegistryImage(`${open.host}/team/tamper:t`, opts(), extras(work))).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof LayerlensError, String(err));
      assert.equal(err.code, 'DIGEST_MISMATCH');
      assert.match(err.message, new RegExp(`layer 0: blob digest mismatch: expected ${t.layers[0].digest}`));

      // A gzip layer: also an error (gzip's own CRC or our digest check, whichever sees it first).
      writeFileSync(f0, ((b0[at] ^= 0x20), b0));
      const f1 = open.blobFile(t.layers[1].digest);
      const b1 = readFileSync(f1);
      b1[Math.floor(b1.length / 2)] ^= 0xff;
      writeFileSync(f1, b1);
      const err2 = await load(await openRegistryImage(`${open.host}/team/tamper:t`, opts(), extras(work))).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(
        err2 instanceof LayerlensError && /layer 1/.test(err2.message),
        `expected a layer 1 error, got ${String(err2)}; layer 0 file now ${sha256(readFileSync(f0))}`,
      );
    });

    test('a prefetched blob that fails its digest before anyone reads it: the error reaches the reader when it starts', async () => {
      const t = await buildImage([
        {
          compress: 'none',
          entries: [
            { name: 'early/', type: 'directory' },
            { name: 'early/f.txt', content: 'early ' + randomBytes(8).toString('hex') },
          ],
        },
      ]);
      const dir = path.join(work, 'early-layout');
      writeLayout(dir, 't', t.manifest, allBlobs(t).slice(1));
      await skopeoPush(dir, 't', 'team/early:t', { host: open.host, workdir: work });
      const f0 = open.blobFile(t.layers[0].digest);
      const b0 = readFileSync(f0);
      b0[b0.indexOf('early ') + 1] ^= 0x20;
      writeFileSync(f0, b0);
      const reader = await openRegistryImage(`${open.host}/team/early:t`, opts(), extras(work));
      try {
        const first = await reader.blobs()[Symbol.asyncIterator]().next();
        assert.equal(first.done, false);
        const stream = first.value!.stream as NodeJS.ReadableStream;
        // Long enough for the small blob to arrive and fail its digest with no reader attached.
        await new Promise((r) => setTimeout(r, 300));
        const outcome = await new Promise<unknown>((resolve) => {
          const timer = setTimeout(() => resolve('hang'), 5000);
          stream.on('data', () => {});
          stream.on('error', (e) => (clearTimeout(timer), resolve(e)));
          stream.on('end', () => (clearTimeout(timer), resolve('end')));
        });
        assert.ok(outcome instanceof LayerlensError, `expected the digest error, got ${String(outcome)}`);
        assert.equal(outcome.code, 'DIGEST_MISMATCH');
      } finally {
        await reader.close();
      }
    });

    test('429 is reported with the rate-limit headers and the advice to log in', async () => {
      const proxy = await startProxy(open.host, (req, res) => {
        if (!/\/manifests\//.test(req.url ?? '')) return false;
        res.writeHead(429, {
          'ratelimit-limit': '100;w=21600',
          'ratelimit-remaining': '0;w=21600',
          'retry-after': '3600',
          'content-type': 'application/json',
        });
        res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"rate limit"}]}');
        return true;
      });
      try {
        await assert.rejects(openRegistryImage(`${proxy.host}/team/app:v1`, opts(), extras(work)), (e: Error) => {
          assert.ok(e instanceof LayerlensError);
          assert.equal(e.code, 'RATE_LIMITED');
          assert.match(e.message, /429 Too Many Requests/);
          assert.match(e.message, /ratelimit-limit: 100;w=21600; ratelimit-remaining: 0;w=21600/);
          assert.match(e.message, /log in \(docker login/);
          return true;
        });
        assert.equal(proxy.hits.filter((h) => /manifests/.test(h.url)).length, 1, '429 is not retried');
      } finally {
        await proxy.stop();
      }
    });

    test('5xx is retried and a connection cut mid-blob resumes with Range', async () => {
      const big = img.layers[2];
      const blobPath = `/v2/team/app/blobs/${big.digest}`;
      let n = 0;
      const proxy = await startProxy(open.host, (req, res) => {
        if (req.url !== blobPath || req.method !== 'GET') return false;
        n++;
        if (n === 1) {
          res.writeHead(503).end();
          return true;
        }
        if (n === 2) {
          // Forward, but cut the connection after ~1 MiB of the body.
          void import('node:http').then(({ default: h }) =>
            h.get(
              `http://${open.host}${req.url}`,
              { headers: req.headers, agent: false },
              (ures: http.IncomingMessage) => {
                res.writeHead(ures.statusCode ?? 200, ures.headers);
                let sent = 0;
                ures.on('data', (c: Buffer) => {
                  if (sent >= 1 << 20) {
                    ures.destroy();
                    res.socket?.destroy();
                    return;
                  }
                  sent += c.length;
                  res.write(c);
                });
              },
            ),
          );
          return true;
        }
        return false;
      });
      try {
        const logs: string[] = [];
        const model = await load(
          await openRegistryImage(`${proxy.host}/team/app:v1`, opts({ log: (l) => logs.push(l) }), extras(work)),
        );
        assert.deepEqual(dumpModel(model), layoutDump);
        const hits = proxy.hits.filter((h) => h.url === blobPath);
        assert.equal(hits.length, 3);
        assert.equal(hits[1].headers.range, undefined);
        assert.match(String(hits[2].headers.range), /^bytes=\d+-$/);
        assert.ok(Number(/\d+/.exec(String(hits[2].headers.range))![0]) >= 1 << 20);
        assert.match(logs.join('\n'), /HTTP 503; retrying GET/);
        assert.match(logs.join('\n'), /resuming at byte \d+/);
      } finally {
        await proxy.stop();
      }
    });
    for (const offThread of [true, false]) {
      test(`a server that ignores Range on resume: the bytes already read are skipped, the digest still checks (${offThread ? 'download worker' : 'main thread'})`, async () => {
        const big = img.layers[2];
        const blobPath = `/v2/team/app/blobs/${big.digest}`;
        let n = 0;
        const proxy = await startProxy(open.host, (req, res) => {
          if (req.url !== blobPath || req.method !== 'GET') return false;
          n++;
          if (n > 2) return false;
          // 1st: cut after ~1 MiB of the body; 2nd: forwarded without its Range header (a 200 from the start).
          const headers = { ...req.headers };
          if (n === 2) delete headers.range;
          void import('node:http').then(({ default: h }) =>
            h.get(`http://${open.host}${req.url}`, { headers, agent: false }, (ures: http.IncomingMessage) => {
              res.writeHead(ures.statusCode ?? 200, ures.headers);
              let sent = 0;
              ures.on('data', (c: Buffer) => {
                if (n === 1 && sent >= 1 << 20) {
                  ures.destroy();
                  res.socket?.destroy();
                  return;
                }
                sent += c.length;
                res.write(c);
              });
              ures.on('end', () => res.end());
            }),
          );
          return true;
        });
        try {
          const reader = await openRegistryImage(`${proxy.host}/team/app:v1`, opts(), extras(work, { offThread }));
          const model = await load(reader);
          assert.deepEqual(dumpModel(model), layoutDump);
          const hits = proxy.hits.filter((h) => h.url === blobPath);
          assert.equal(hits.length, 2);
          assert.match(String(hits[1].headers.range), /^bytes=\d+-$/, 'the resume asked for a range');
        } finally {
          await proxy.stop();
        }
      });
    }
    test('audit: open catalog (Link pages followed), plain HTTP, anonymous pull and push, deletion enabled — nothing written', async () => {
      const catalogBefore = await (await fetch(`http://${open.host}/v2/_catalog`)).json();
      const { facts, findings } = await auditRegistry(open.host, { pageSize: 2 });
      const rules = new Map(findings.map((f) => [f.ruleId, f]));
      assert.equal(facts.scheme, 'http');
      assert.equal(facts.authScheme, 'none');
      assert.equal(rules.get('registry-plain-http')?.severity, 'low', 'loopback plain HTTP');
      assert.equal(rules.get('registry-no-auth')?.severity, 'high');
      const repos = (catalogBefore as { repositories: string[] }).repositories;
      assert.equal(facts.catalog.status, 'readable');
      assert.equal(facts.catalog.repositories, repos.length);
      assert.equal(facts.catalog.pages, Math.ceil(repos.length / 2));
      assert.match(rules.get('registry-catalog-anonymous')!.message, new RegExp(`lists ${repos.length} repositories`));
      assert.equal(facts.anonymousPull.status, 'allowed');
      assert.equal(rules.get('registry-anonymous-push')?.severity, 'critical');
      assert.equal(facts.anonymousPush.cancelled, true);
      assert.equal(facts.deletion.status, 'enabled');
      assert.ok(rules.has('registry-delete-enabled'));
      for (const f of findings) assert.equal(f.properties?.host, open.host);
      // Read-mostly: the catalog and every tag are unchanged.
      assert.deepEqual(await (await fetch(`http://${open.host}/v2/_catalog`)).json(), catalogBefore);
      const tags = (await (await fetch(`http://${open.host}/v2/team/app/tags/list`)).json()) as { tags: string[] };
      assert.ok(tags.tags.includes('v1'));
    });

    test('audit CLI: --format json has the scan shape; --fail-on sets the exit code', async () => {
      const main = path.resolve('src/cli/main.ts');
      const runCli = (args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            ['--import', 'tsx', main, ...args],
            { env: { ...process.env, NO_COLOR: '1' } },
            (err, stdout, stderr) =>
              resolve({
                code: err ? Number((err as { code?: number }).code ?? 1) : 0,
                stdout: String(stdout),
                stderr: String(stderr),
              }),
          );
        });
      const r = await runCli(['registry', 'audit', `http://${open.host}`, '--format', 'json', '--fail-on', 'critical']);
      assert.equal(r.code, 1, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.schemaVersion, 1);
      assert.equal(doc.summary.critical, 1);
      assert.equal(doc.registry.host, open.host);
      assert.deepEqual(Object.keys(doc.findings[0]).slice(0, 6), [
        'id',
        'ruleId',
        'category',
        'severity',
        'title',
        'message',
      ]);
      assert.equal(doc.findings[0].ruleId, 'registry-anonymous-push');
      const md = await runCli(['registry', 'audit', `http://${open.host}`, '--format', 'markdown']);
      assert.equal(md.code, 0);
      assert.match(md.stdout, /^# layerlens registry audit: 127\.0\.0\.1:\d+/);
      assert.match(md.stdout, /\| Catalog \| readable anonymously/);
      const bad = await runCli(['registry', 'audit', 'not a url']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^layerlens: invalid registry URL/);
    });
  });

  describe('(b) htpasswd (bcrypt) behind TLS with a test CA', () => {
    let caDir: string;
    before(async () => {
      tlsReg = await startRegistry({ dir: path.join(work, 'reg-tls'), tls: pki, htpasswd: { user, password } });
      regs.push(tlsReg);
      caDir = path.join(work, 'ca-only');
      mkdirSync(caDir, { recursive: true });
      writeFileSync(path.join(caDir, 'ca.crt'), readFileSync(pki.caCert));
      await skopeoPush(layout, 'v1', 'team/app:v1', {
        host: tlsReg.host,
        workdir: work,
        creds: `${user}:${password}`,
        certDir: caDir,
        tls: true,
      });
    });

    test('an untrusted certificate is refused (no silent fallback), with the fix in the message', async () => {
      await assert.rejects(
        openRegistryImage(`${tlsReg.host}/team/app:v1`, opts({ username: user, password }), extras(work)),
        (e: Error) => {
          assert.ok(e instanceof LayerlensError);
          assert.equal(e.code, 'TLS');
          assert.match(e.message, /not trusted.*--ca-file.*--insecure/);
          return true;
        },
      );
    });

    test('--ca-file + --username: same tree, TLS verified, Basic auth', async () => {
      const reader = await openRegistryImage(
        `${tlsReg.host}/team/app:v1`,
        opts({ username: user, password, caFile: pki.caCert }),
        extras(work),
      );
      const notes = (await reader.meta()).notes!.join('\n');
      assert.match(notes, /HTTPS to 127\.0\.0\.1:\d+, certificate verified/);
      assert.match(notes, /auth: Basic \(credentials from --username\)/);
      assert.deepEqual(dumpModel(await load(reader)), layoutDump);
    });

    test('CA from certs.d/HOST:PORT and credentials from a Docker config file', async () => {
      const certsDir = path.join(work, 'certs.d');
      mkdirSync(path.join(certsDir, tlsReg.host), { recursive: true });
      writeFileSync(path.join(certsDir, tlsReg.host, 'ca.crt'), readFileSync(pki.caCert));
      const home = path.join(work, 'home-b');
      mkdirSync(path.join(home, '.docker'), { recursive: true });
      writeFileSync(
        path.join(home, '.docker', 'config.json'),
        JSON.stringify({ auths: { [tlsReg.host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } }),
      );
      const reader = await openRegistryImage(
        `${tlsReg.host}/team/app:v1`,
        opts(),
        extras(work, { certsDir, homedir: home }),
      );
      const notes = (await reader.meta()).notes!.join('\n');
      assert.match(notes, /certificate verified \(extra CA\/certificates: .*certs\.d\/127\.0\.0\.1:\d+\/ca\.crt\)/);
      assert.match(notes, /credentials from ~\/\.docker\/config\.json/);
      assert.deepEqual(dumpModel(await load(reader)), layoutDump);
    });

    test('no credentials / wrong password are clear auth errors; --insecure skips verification and says so', async () => {
      await assert.rejects(
        openRegistryImage(`${tlsReg.host}/team/app:v1`, opts({ caFile: pki.caCert }), extras(work)),
        /requires authentication: run docker login 127\.0\.0\.1:\d+, or pass --username/,
      );
      await assert.rejects(
        openRegistryImage(
          `${tlsReg.host}/team/app:v1`,
          opts({ caFile: pki.caCert, username: user, password: 'wrong' }),
          extras(work),
        ),
        /did not accept the credentials from --username/,
      );
      const reader = await openRegistryImage(
        `${tlsReg.host}/team/app:v1`,
        opts({ insecure: true, username: user, password }),
        extras(work),
      );
      assert.match((await reader.meta()).notes!.join('\n'), /WITHOUT certificate verification \(--insecure\)/);
      await reader.close();
    });
    test('audit: TLS valid with the CA, untrusted without; auth required (Basic over HTTPS); nothing anonymous works', async () => {
      const { facts, findings } = await auditRegistry(`https://${tlsReg.host}`, { caFile: pki.caCert });
      const rules = new Map(findings.map((f) => [f.ruleId, f]));
      assert.equal(facts.scheme, 'https');
      assert.equal(facts.tls?.trusted, true);
      assert.equal(facts.tls?.hostnameMatches, true);
      assert.ok(rules.has('registry-tls-valid'));
      assert.equal(rules.get('registry-tls-expiring')?.severity, 'medium', 'the test CA issues 2-day certificates');
      assert.equal(facts.authScheme, 'basic');
      assert.equal(rules.get('registry-auth-required')?.severity, 'info');
      assert.equal(facts.httpRedirect, 'refused-on-tls-port');
      assert.equal(facts.catalog.status, 'auth-required');
      assert.equal(facts.anonymousPush.status, 'denied');
      assert.equal(facts.deletion.status, 'needs-auth');
      assert.deepEqual(
        findings.filter((f) => f.severity === 'high' || f.severity === 'critical'),
        [],
      );

      const untrusted = await auditRegistry(tlsReg.host);
      const r2 = new Map(untrusted.findings.map((f) => [f.ruleId, f]));
      assert.equal(r2.get('registry-tls-untrusted')?.severity, 'high');
      assert.match(r2.get('registry-tls-untrusted')!.message, /does not verify/);
      assert.equal(untrusted.facts.authScheme, 'basic', 'the audit goes on after a certificate problem');
    });
  });

  describe('(c) token auth: JWTs from a test issuer, validated by the real registry', () => {
    before(async () => {
      issuer = await startTokenIssuer(pki, { [user]: password }, { refreshTokens: { [identityToken]: user } });
      tokReg = await startRegistry({
        dir: path.join(work, 'reg-token'),
        token: { realm: issuer.url, service: issuer.service, issuer: issuer.issuer, rootCertBundle: pki.tokenCert },
      });
      regs.push(tokReg);
      await skopeoPush(layout, 'v1', 'team/app:v1', { host: tokReg.host, workdir: work, creds: `${user}:${password}` });
    });

    test('anonymous token without access → auth error naming docker login', async () => {
      await assert.rejects(
        openRegistryImage(`${tokReg.host}/team/app:v1`, opts(), extras(work)),
        (e: Error) => e instanceof LayerlensError && e.code === 'AUTH' && /requires authentication/.test(e.message),
      );
      assert.ok(issuer.requests.some((r) => !r.account && r.scopes.includes('repository:team/app:pull')));
    });

    test('credentials → Basic to the token endpoint, one token per scope, same tree', async () => {
      issuer.requests.length = 0;
      issuer.expiresIn = 300;
      const reader = await openRegistryImage(
        `${tokReg.host}/team/app:v1`,
        opts({ username: user, password }),
        extras(work, { provenance: false }),
      );
      assert.match((await reader.meta()).notes!.join('\n'), /auth: token \(credentials from --username\)/);
      assert.deepEqual(dumpModel(await load(reader)), layoutDump);
      const pulls = issuer.requests.filter((r) => r.scopes.join(' ') === 'repository:team/app:pull');
      assert.equal(pulls.length, 1, JSON.stringify(issuer.requests));
      assert.equal(pulls[0].authorized, true);
      assert.equal(pulls[0].account, user);
    });

    test('a credential helper answering <token> → identity token → OAuth2 refresh-token grant', async () => {
      const home = path.join(work, 'home-c');
      const bin = path.join(work, 'bin-c');
      mkdirSync(path.join(home, '.docker'), { recursive: true });
      mkdirSync(bin, { recursive: true });
      writeFileSync(
        path.join(home, '.docker', 'config.json'),
        JSON.stringify({ credHelpers: { [tokReg.host]: 'layerlens-test' } }),
      );
      const helper = path.join(bin, 'docker-credential-layerlens-test');
      writeFileSync(
        helper,
        `#!/bin/sh\nread -r url\n[ "$url" = "${tokReg.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\nprintf '{"ServerURL":"%s","Username":"<token>","Secret":"${identityToken}"}' "$url"\n`,
        { mode: 0o755 },
      );
      issuer.requests.length = 0;
      const reader = await openRegistryImage(
        `${tokReg.host}/team/app:v1`,
        opts(),
        extras(work, { homedir: home, env: { PATH: `${bin}:${process.env.PATH}` }, provenance: false }),
      );
      assert.match((await reader.meta()).notes!.join('\n'), /credentials from docker-credential-layerlens-test/);
      assert.deepEqual(dumpModel(await load(reader)), layoutDump);
      assert.ok(issuer.requests.length > 0);
      for (const r of issuer.requests) {
        assert.equal(r.method, 'POST');
        assert.equal(r.authorized, true);
      }
    });

    test('tokens are cached per scope until they expire, then refreshed', async () => {
      const reread = async (reader: ImageReader) => {
        const s = await reader.reopenLayer!(0);
        for await (const _ of s as AsyncIterable<Buffer>) void _;
      };
      issuer.expiresIn = 300;
      const longLived = await openRegistryImage(
        `${tokReg.host}/team/app:v1`,
        opts({ username: user, password }),
        extras(work, { provenance: false }),
      );
      await longLived.meta();
      const before1 = issuer.requests.length;
      await reread(longLived);
      assert.equal(issuer.requests.length, before1, 'a valid cached token is reused');
      await longLived.close();

      issuer.expiresIn = 1;
      try {
        const shortLived = await openRegistryImage(
          `${tokReg.host}/team/app:v1`,
          opts({ username: user, password }),
          extras(work, { provenance: false }),
        );
        await shortLived.meta();
        const before2 = issuer.requests.length;
        await reread(shortLived);
        assert.equal(issuer.requests.length, before2 + 1, 'an expiring token is refreshed before use');
        await shortLived.close();
      } finally {
        issuer.expiresIn = 300;
      }
    });

    test('a redirected blob endpoint never receives Authorization', async () => {
      const cdn = await startBlobCdn(tokReg);
      const proxy = await startProxy(tokReg.host, (req, res) => {
        const m = /^\/v2\/.+\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '');
        if (!m || req.method !== 'GET') return false;
        res.writeHead(307, { location: `http://${cdn.host}/blobs/${m[1]}` }).end();
        return true;
      });
      try {
        const reader = await openRegistryImage(
          `${proxy.host}/team/app:v1`,
          opts({ username: user, password }),
          extras(work, { provenance: false }),
        );
        assert.deepEqual(dumpModel(await load(reader)), layoutDump);
        const blobHits = proxy.hits.filter((h) => /\/blobs\//.test(h.url));
        assert.equal(blobHits.length, 5, 'config + 4 layers asked at the registry');
        for (const h of blobHits) assert.match(String(h.headers.authorization), /^Bearer /);
        assert.equal(cdn.hits.length, 5);
        for (const h of cdn.hits)
          assert.equal(h.headers.authorization, undefined, `Authorization leaked to ${cdn.host}${h.url}`);
      } finally {
        await proxy.stop();
        await cdn.stop();
      }
    });
    test('audit: Bearer token auth, catalog closed, anonymous pull and push denied', async () => {
      const { facts, findings } = await auditRegistry(tokReg.host, { repository: 'team/app' });
      const rules = new Map(findings.map((f) => [f.ruleId, f]));
      assert.equal(facts.scheme, 'http');
      assert.equal(facts.authScheme, 'bearer');
      assert.equal(facts.tokenRealm, issuer.url);
      assert.equal(rules.get('registry-auth-required')?.properties?.scheme, 'bearer');
      assert.equal(facts.catalog.status, 'auth-required');
      assert.equal(facts.anonymousPull.status, 'denied');
      assert.equal(facts.anonymousPush.status, 'denied');
      assert.ok(!rules.has('registry-catalog-anonymous'));
      assert.ok(!rules.has('registry-anonymous-push'));
      assert.ok(
        issuer.requests.some((r) => r.scopes.includes('registry:catalog:*') && !r.account),
        'an anonymous catalog token was asked for',
      );
    });
  });
});
