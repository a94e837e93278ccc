/**
 * Pull-and-parse from a loopback registry vs `skopeo copy docker://… oci:DIR` of the same image,
 * in the same run. The image (several gzip layers, a few hundred MB) is generated in-process,
 * pushed with skopeo to a docker-registry this script starts, and removed afterwards.
 *
 *   node --import tsx bench/registry.ts [--mb 300] [--layers 6] [--runs 3] [--concurrency 3]
 *
 * Prints both times (median of runs, order alternated) and the ratio layerlens / skopeo.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TarSpec } from '../src/engine/build-tar.js';
import { ImageModel } from '../src/engine/image.js';
import { openRegistryImage } from '../src/sources/registry/index.js';
import { allBlobs, buildImage, writeLayout, skopeoPush, type LayerSpec } from '../test/registry/helpers/oci-image.js';
import { missingTools, startRegistry } from '../test/registry/helpers/services.js';

const { values } = parseArgs({
  options: { mb: { type: 'string', default: '300' }, layers: { type: 'string', default: '6' }, runs: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '3' } },
});
const totalMb = Number(values.mb);
const layerCount = Number(values.layers);
const runs = Number(values.runs);
const concurrency = Number(values.concurrency);

function sh(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { maxBuffer: 64 << 20 }, (err, _o, stderr) => (err ? reject(new Error(`${file}: ${String(stderr).trim() || err.message}`)) : resolve())),
  );
}

/** Files like a real layer: text-ish (compressible) and binary-ish (not), 64 KiB–1 MiB each. */
function layerEntries(i: number, bytes: number): TarSpec[] {
  const entries: TarSpec[] = [{ name: `layer${i}/`, type: 'directory' }];
  const words = Buffer.from('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt\n'.repeat(20000));
  let n = 0;
  let f = 0;
  while (n < bytes) {
    const size = Math.min(bytes - n, 65536 + ((f * 7919) % (1 << 20)));
    const content = f % 2 === 0 ? randomBytes(size) : words.subarray(0, size);
    entries.push({ name: `layer${i}/dir${f % 16}/file${f}.bin`, content });
    n += size;
    f++;
  }
  return entries;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const missing = missingTools('docker-registry', 'skopeo');
  if (missing) {
    console.log(`skipped: ${missing}`);
    return;
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'layerlens-bench-registry-'));
  const reg = await startRegistry({ dir: path.join(work, 'reg') });
  try {
    const t0 = Date.now();
    const per = Math.floor((totalMb << 20) / layerCount);
    const layers: LayerSpec[] = [];
    for (let i = 0; i < layerCount; i++) layers.push({ entries: layerEntries(i, per), level: 1, createdBy: `COPY layer${i} /layer${i}` });
    const img = await buildImage(layers);
    const layout = path.join(work, 'layout');
    writeLayout(layout, 'bench', img.manifest, allBlobs(img).slice(1));
    await skopeoPush(layout, 'bench', 'bench/image:1', { host: reg.host, workdir: work });
    const compressed = img.layers.reduce((a, l) => a + l.data.length, 0);
    console.log(`image: ${layerCount} gzip layers, ${totalMb} MiB uncompressed, ${(compressed / 1048576).toFixed(0)} MiB compressed (generated and pushed in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    const ours: number[] = [];
    const theirs: number[] = [];
    const runLayerlens = async () => {
      const start = process.hrtime.bigint();
      const reader = await openRegistryImage(`${reg.host}/bench/image:1`, { source: 'registry', pull: false, insecure: false, plainHttp: false }, { provenance: false, env: {}, homedir: work, certsDir: work });
      const model = new ImageModel();
      await model.load(reader, { concurrency });
      await reader.close();
      if (model.tree.lookupPath(`/layer${layerCount - 1}`) === undefined) throw new Error('bench image not parsed');
      ours.push(Number(process.hrtime.bigint() - start) / 1e6);
    };
    const runSkopeo = async (i: number) => {
      const dest = path.join(work, `skopeo-oci-${i}`);
      const start = process.hrtime.bigint();
      await sh('skopeo', ['--policy', path.join(work, 'policy.json'), 'copy', '--quiet', '--src-tls-verify=false', `docker://${reg.host}/bench/image:1`, `oci:${dest}:bench`]);
      theirs.push(Number(process.hrtime.bigint() - start) / 1e6);
      rmSync(dest, { recursive: true, force: true });
    };
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        await runSkopeo(i);
        await runLayerlens();
      } else {
        await runLayerlens();
        await runSkopeo(i);
      }
    }
    const a = median(ours);
    const b = median(theirs);
    console.log(`layerlens pull+parse (concurrency ${concurrency}): ${(a / 1000).toFixed(2)} s  runs: ${ours.map((x) => (x / 1000).toFixed(2)).join(', ')}`);
    console.log(`skopeo copy docker:// → oci:DIR:        ${(b / 1000).toFixed(2)} s  runs: ${theirs.map((x) => (x / 1000).toFixed(2)).join(', ')}`);
    console.log(`ratio layerlens / skopeo: ${(a / b).toFixed(2)}× (target ≤ 1.0×)`);
  } finally {
    await reg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
