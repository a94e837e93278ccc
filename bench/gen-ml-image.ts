/**
 * The scale benchmark's images (issue 16), generated once under .bench-data/ and reused:
 *
 * - `ml`: shaped like a machine-learning image, ≥ 8 GB uncompressed and ≥ 2 million paths: a
 *   Debian-like base, a CUDA layer of a few huge shared libraries, a PyTorch layer (two more
 *   huge libraries, headers, modules), a site-packages layer of ~1.3 million small files, a
 *   `pip install -U` layer that makes a third of those packages opaque and rewrites most of
 *   their files (and reinstalls one CUDA library, deletes another), an application layer with
 *   ~560k node_modules files and model weights, and a config file with a (generated, fake)
 *   secret that the last layer deletes.
 * - `tiny`: one million ~30-byte Python files in a site-packages tree (two layers): the case
 *   where the per-entry cost dominates.
 *
 * gzip level 1 (quick to write; inflating costs about what level 6 costs). Content from
 * gen-content.ts: code-like bytes for libraries (~3×), source-like text (~4×), weights (~1.2×).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { upperAlnum } from '../test/support/fake-secrets.js';
import { codeCorpus, piecesOf, prng, sliceOf, textCorpus, weightsCorpus } from './gen-content.js';
import type { GenEntry, LayerPlan } from './oci-writer.js';
import { writeLayout } from './oci-writer.js';

const MB = 1 << 20;

const SYLLABLES =
  'tor ch vi sion num py sci kit learn trans form ers ten sor flow jax lib pan das ar row grpc proto buf tok en iz acc el ate dat sets hug face hub saf opt im tri ton lang chain fast api uvi corn pyd ant ic mark down yaml req uests url click rich ty per mpl plot sea born'.split(
    ' ',
  );

/** A package name per index: distinct, pronounceable. */
function packageName(p: number): string {
  const a = SYLLABLES[p % SYLLABLES.length];
  const b = SYLLABLES[Math.floor(p / SYLLABLES.length) % SYLLABLES.length];
  return `${a}${b}${p >= SYLLABLES.length * SYLLABLES.length ? p : ''}${p % 7 === 0 ? '_core' : ''}`;
}

/** Files per package: a few large packages, a long tail of small ones (as in real site-packages). */
function packageSizes(packages: number, total: number, seed: number): number[] {
  const w = Array.from({ length: packages }, (_, p) => 1 / (p + 12) ** 0.8);
  const sum = w.reduce((a, b) => a + b, 0);
  const rnd = prng(seed);
  const out = w.map((x) => Math.max(6, Math.round((total * x) / sum)));
  // Shuffle, so the large packages are not all first.
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd() % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** 60 bytes to ~4 KB, most files small (u⁴ skew): the sizes of Python modules. */
function smallSize(rnd: () => number, max = 4000): number {
  const u = (rnd() % 10_000) / 10_000;
  return 60 + Math.floor(max * u * u * u * u);
}

interface Corpora {
  code: Buffer;
  text: Buffer;
  weights: Buffer;
}

/** A directory entry the first time a path needs it (tars from docker list a directory before its files). */
class Dirs {
  private readonly seen = new Set<string>();
  *ensure(path: string): Generator<GenEntry> {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!this.seen.has(d)) {
        this.seen.add(d);
        yield { name: d + '/', type: 'directory' };
      }
    }
  }
}

const SITE = 'usr/local/lib/python3.11/site-packages';

/** The modules of one Python package, files [from, to) of its numbering (two per module: .py and .pyc). */
function* pythonPackage(
  c: Corpora,
  dirs: Dirs,
  root: string,
  name: string,
  from: number,
  to: number,
  seed: number,
): Generator<GenEntry> {
  const rnd = prng(seed);
  for (let j = from; j < to; j += 2) {
    const d = Math.floor(j / 48);
    const dir =
      d === 0
        ? `${root}/${name}`
        : `${root}/${name}/${SYLLABLES[d % 16]}_${d % 16}/${SYLLABLES[(d >> 4) % 32]}${d >> 4}`;
    yield* dirs.ensure(dir);
    const mod = `${SYLLABLES[(j >> 1) % SYLLABLES.length]}_${j >> 1}`;
    const py = smallSize(rnd);
    yield { name: `${dir}/${mod}.py`, body: sliceOf(c.text, py, seed + j) };
    if (j + 1 < to) {
      yield* dirs.ensure(`${dir}/__pycache__`);
      yield { name: `${dir}/__pycache__/${mod}.cpython-311.pyc`, body: sliceOf(c.code, 150 + (py >> 1), seed + j + 1) };
    }
  }
}

function distInfo(root: string, name: string, version: string, files: number): GenEntry[] {
  const dir = `${root}/${name}-${version}.dist-info`;
  const metadata = `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: ${name} for the scale benchmark\nLicense: Apache-2.0\nRequires-Python: >=3.9\n`;
  const record: string[] = [];
  for (let i = 0; i < Math.min(files, 20_000); i++)
    record.push(`${name}/m${i}.py,sha256=${'x'.repeat(43)},${100 + (i % 900)}`);
  return [
    { name: dir + '/', type: 'directory' },
    { name: `${dir}/METADATA`, body: Buffer.from(metadata) },
    {
      name: `${dir}/WHEEL`,
      body: Buffer.from('Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n'),
    },
    { name: `${dir}/INSTALLER`, body: Buffer.from('pip\n') },
    { name: `${dir}/top_level.txt`, body: Buffer.from(name + '\n') },
    { name: `${dir}/RECORD`, body: Buffer.from(record.join('\n') + '\n') },
  ];
}

function bigFile(name: string, size: number, corpus: Buffer, seed: number): GenEntry {
  return { name, size, pieces: () => piecesOf(corpus, size, seed) };
}

const CUDA = 'usr/local/cuda-12.4/targets/x86_64-linux/lib';
const CUDA_LIBS: Array<[string, number]> = [
  ['libcublasLt.so.12.4.5.8', 480],
  ['libcublas.so.12.4.5.8', 105],
  ['libcufft.so.11.2.1.3', 280],
  ['libcusparse.so.12.3.1.170', 265],
  ['libcusolver.so.11.6.1.9', 220],
  ['libcurand.so.10.3.5.147', 95],
  ['libcudnn_engines_precompiled.so.9.1.0', 580],
  ['libcudnn_adv.so.9.1.0', 300],
  ['libcudnn_ops.so.9.1.0', 190],
  ['libnccl.so.2.20.5', 230],
  ['libnvrtc.so.12.4.127', 60],
  ['libnvJitLink.so.12.4.127', 50],
  ['libcupti.so.12.4.127', 12],
  ['libcudart.so.12.4.127', 1],
];

function* baseLayer(c: Corpora): Generator<GenEntry> {
  const dirs = new Dirs();
  const rnd = prng(100);
  yield* dirs.ensure('etc');
  yield {
    name: 'etc/os-release',
    body: Buffer.from(
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
    ),
  };
  yield {
    name: 'etc/passwd',
    body: Buffer.from('root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n'),
  };
  const status: string[] = [];
  for (let p = 0; p < 700; p++) {
    const name = `lib${packageName(p + 3000)}`;
    status.push(
      `Package: ${name}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nSource: ${packageName(p + 3000)}\nVersion: ${1 + (p % 4)}.${p % 10}-${1 + (p % 3)}\nDescription: generated package ${p}\n`,
    );
    yield* dirs.ensure(`usr/share/doc/${name}`);
    yield { name: `usr/share/doc/${name}/copyright`, body: sliceOf(c.text, 1500, p) };
    yield { name: `usr/share/doc/${name}/changelog.Debian.gz`, body: sliceOf(c.code, 800, p) };
    yield* dirs.ensure('var/lib/dpkg/info');
    yield { name: `var/lib/dpkg/info/${name}.list`, body: sliceOf(c.text, 400, p + 1) };
    yield { name: `var/lib/dpkg/info/${name}.md5sums`, body: sliceOf(c.text, 600, p + 2) };
  }
  yield { name: 'var/lib/dpkg/status', body: Buffer.from(status.join('\n')) };
  for (let i = 0; i < 600; i++) {
    yield* dirs.ensure('usr/bin');
    yield { name: `usr/bin/${packageName(i)}-tool`, mode: 0o755, body: sliceOf(c.code, 20_000 + (rnd() % 200_000), i) };
  }
  for (let i = 0; i < 900; i++) {
    yield* dirs.ensure('usr/lib/x86_64-linux-gnu');
    const size = 40_000 + (rnd() % 600_000);
    yield { name: `usr/lib/x86_64-linux-gnu/lib${packageName(i)}.so.${i % 5}`, body: sliceOf(c.code, size, i + 7) };
  }
  for (let i = 0; i < 9000; i++) {
    const dir = `usr/share/locale/l${i % 120}/LC_MESSAGES`;
    yield* dirs.ensure(dir);
    yield { name: `${dir}/${packageName(Math.floor(i / 120))}.mo`, body: sliceOf(c.text, smallSize(rnd, 20_000), i) };
  }
  for (let i = 0; i < 1800; i++) {
    const dir = `usr/share/zoneinfo/Z${i % 12}`;
    yield* dirs.ensure(dir);
    yield { name: `${dir}/City${i}`, body: sliceOf(c.code, 200 + (rnd() % 3000), i) };
  }
  yield* pythonPackage(c, dirs, 'usr/lib', 'python3.11', 0, 8000, 101);
  for (let i = 0; i < 700; i++) {
    const dir = `etc/conf${i % 40}.d`;
    yield* dirs.ensure(dir);
    yield { name: `${dir}/${packageName(i)}.conf`, body: sliceOf(c.text, 100 + (rnd() % 2000), i) };
  }
}

function* cudaLayer(c: Corpora): Generator<GenEntry> {
  const dirs = new Dirs();
  yield* dirs.ensure(CUDA);
  for (let i = 0; i < CUDA_LIBS.length; i++) {
    const [name, mb] = CUDA_LIBS[i];
    yield bigFile(`${CUDA}/${name}`, mb * MB, c.code, 200 + i);
    yield { name: `${CUDA}/${name.replace(/\.so\..*/, '.so')}`, type: 'symlink', linkname: name };
  }
  const rnd = prng(201);
  for (let i = 0; i < 3000; i++) {
    const dir = `usr/local/cuda-12.4/targets/x86_64-linux/include/${SYLLABLES[i % 24]}`;
    yield* dirs.ensure(dir);
    yield { name: `${dir}/h${i}.h`, body: sliceOf(c.text, smallSize(rnd, 30_000), i) };
  }
}

function* torchLayer(c: Corpora): Generator<GenEntry> {
  const dirs = new Dirs();
  const lib = `${SITE}/torch/lib`;
  yield* dirs.ensure(lib);
  yield bigFile(`${lib}/libtorch_cuda.so`, 1450 * MB, c.code, 300);
  yield bigFile(`${lib}/libtorch_cpu.so`, 520 * MB, c.code, 301);
  yield bigFile(`${lib}/libtorch_python.so`, 30 * MB, c.code, 302);
  yield bigFile(`${lib}/libc10_cuda.so`, 2 * MB, c.code, 303);
  yield* dirs.ensure(`${SITE}/triton/_C`);
  yield bigFile(`${SITE}/triton/_C/libtriton.so`, 310 * MB, c.code, 304);
  const rnd = prng(305);
  for (let i = 0; i < 12_000; i++) {
    const dir = `${SITE}/torch/include/ATen/ops/${SYLLABLES[i % 40]}`;
    yield* dirs.ensure(dir);
    yield { name: `${dir}/op_${i}.h`, body: sliceOf(c.text, smallSize(rnd, 12_000), i) };
  }
  yield* pythonPackage(c, dirs, SITE, 'torch', 0, 4000, 306);
  yield* distInfo(SITE, 'torch', '2.3.1', 16_000);
}

/** site-packages: ~1.3 million small files in 420 packages. */
const SITE_PACKAGES = 420;
const SITE_FILES = 1_300_000;

function sitePackages(): Array<{ name: string; files: number }> {
  return packageSizes(SITE_PACKAGES, SITE_FILES, 400).map((files, p) => ({ name: packageName(p + 50), files }));
}

function* siteLayer(c: Corpora): Generator<GenEntry> {
  const dirs = new Dirs();
  yield* dirs.ensure(SITE);
  for (const [p, pkg] of sitePackages().entries()) {
    yield* pythonPackage(c, dirs, SITE, pkg.name, 0, pkg.files, 1000 + p * 7);
    yield* distInfo(SITE, pkg.name, `1.${p % 9}.0`, pkg.files);
  }
}

/**
 * `pip install -U` of a third of the packages: each one's directory made opaque (its lower files
 * all hidden), 80% of its files written again, a quarter more new; its dist-info replaced. And a
 * CUDA library reinstalled (the same path, new bytes: wasted space), another deleted.
 */
function* upgradeLayer(c: Corpora): Generator<GenEntry> {
  const dirs = new Dirs();
  yield* dirs.ensure(CUDA);
  yield { name: `${CUDA}/.wh.libcufft.so.11.2.1.3` };
  yield bigFile(`${CUDA}/libcudnn_engines_precompiled.so.9.1.0`, 580 * MB, c.code, 500);
  yield* dirs.ensure(SITE);
  for (const [p, pkg] of sitePackages().entries()) {
    if (p % 3 !== 1) continue;
    yield* dirs.ensure(`${SITE}/${pkg.name}`);
    yield { name: `${SITE}/${pkg.name}/.wh..wh..opq` };
    yield { name: `${SITE}/.wh.${pkg.name}-1.${p % 9}.0.dist-info` };
    const keep = Math.floor(pkg.files * 0.8) & ~1;
    yield* pythonPackage(c, dirs, SITE, pkg.name, 0, keep, 5000 + p * 7);
    yield* pythonPackage(c, dirs, SITE, pkg.name, pkg.files, pkg.files + Math.floor(pkg.files / 4), 9000 + p * 7);
    yield* distInfo(SITE, pkg.name, `2.${p % 9}.0`, pkg.files);
  }
}

/** The application: ~560k node_modules files (a package.json each), its sources, model weights. */
function* appLayer(c: Corpora): Generator<GenEntry> {
  const dirs = new Dirs();
  const sizes = packageSizes(1400, 560_000, 600);
  const rnd = prng(601);
  for (let p = 0; p < sizes.length; p++) {
    const name = `${packageName(p + 900)}-js`;
    const root = `app/node_modules/${name}`;
    yield* dirs.ensure(root);
    yield {
      name: `${root}/package.json`,
      body: Buffer.from(
        JSON.stringify({ name, version: `${p % 5}.${p % 13}.${p % 7}`, main: 'lib/index.js', license: 'MIT' }, null, 2),
      ),
    };
    for (let j = 1; j < sizes[p]; j++) {
      const dir = `${root}/${j % 3 === 0 ? 'dist' : 'lib'}/${SYLLABLES[Math.floor(j / 64) % 32]}${Math.floor(j / 2048)}`;
      yield* dirs.ensure(dir);
      yield {
        name: `${dir}/${SYLLABLES[j % 24]}${j}.${j % 4 === 0 ? 'd.ts' : 'js'}`,
        body: sliceOf(c.text, smallSize(rnd, 8000), p * 1000 + j),
      };
    }
  }
  yield* dirs.ensure('app/src');
  for (let i = 0; i < 200; i++)
    yield { name: `app/src/service_${i}.py`, body: sliceOf(c.text, smallSize(rnd, 9000), i) };
  yield* dirs.ensure('app/models');
  yield bigFile('app/models/model-00001-of-00001.safetensors', 256 * MB, c.weights, 602);
}

/** A config file holding a (fake, generated) credential, deleted by the next layer: the classic. */
function* configLayer(secret: string): Generator<GenEntry> {
  yield { name: 'etc/app/', type: 'directory' };
  yield { name: 'etc/app/settings.yaml', body: Buffer.from(`region: eu-west-1\naws_access_key_id: ${secret}\n`) };
}

function* cleanupLayer(): Generator<GenEntry> {
  yield { name: 'etc/app/', type: 'directory' };
  yield { name: 'etc/app/.wh.settings.yaml' };
}

function corpora(): Corpora {
  return { code: codeCorpus(64 * MB), text: textCorpus(16 * MB), weights: weightsCorpus(32 * MB) };
}

async function generate(
  dir: string,
  plans: LayerPlan[],
  config: Record<string, unknown>,
  ref: string,
): Promise<string> {
  if (existsSync(join(dir, 'index.json'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  process.stderr.write(`generating ${dir} (once; reused by later runs)\n`);
  await writeLayout(dir, plans, config, ref);
  process.stderr.write(`  done in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  return dir;
}

const benchData = (root?: string) => root ?? join(process.cwd(), '.bench-data');

/** The ML-shaped image (≥ 8 GB, ≥ 2 million paths), as an OCI layout; generated on first use. */
export async function mlImage(root?: string): Promise<string> {
  const dir = join(benchData(root), 'ml-oci');
  if (existsSync(join(dir, 'index.json'))) return dir;
  const c = corpora();
  const secret = `AKIA${upperAlnum(16)}`;
  return generate(
    dir,
    [
      { createdBy: '/bin/sh -c #(nop) ADD file:debian-bookworm-rootfs in /', entries: () => baseLayer(c) },
      {
        createdBy: 'RUN apt-get install -y cuda-libraries-12-4 libcudnn9-cuda-12 libnccl2',
        entries: () => cudaLayer(c),
      },
      { createdBy: 'RUN pip install torch==2.3.1 triton', entries: () => torchLayer(c) },
      { createdBy: 'RUN pip install -r requirements.txt', entries: () => siteLayer(c) },
      {
        createdBy: 'RUN pip install -U -r requirements-pinned.txt && apt-get install --reinstall libcudnn9',
        entries: () => upgradeLayer(c),
      },
      { createdBy: 'COPY . /app', entries: () => appLayer(c) },
      { createdBy: 'COPY settings.yaml /etc/app/settings.yaml', entries: () => configLayer(secret) },
      { createdBy: 'RUN rm /etc/app/settings.yaml', entries: () => cleanupLayer() },
    ],
    {
      config: {
        Env: [
          'PATH=/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          'PYTHONUNBUFFERED=1',
        ],
        Cmd: ['python', '-m', 'app'],
        ExposedPorts: { '8888/tcp': {} },
      },
    },
    'ml',
  );
}

/** One million ~30-byte Python files in a site-packages tree, two layers. */
export async function tinyImage(root?: string): Promise<string> {
  const dir = join(benchData(root), 'tiny-oci');
  if (existsSync(join(dir, 'index.json'))) return dir;
  const layer = (half: number): LayerPlan => ({
    createdBy: `RUN pip install -r requirements-${half}.txt`,
    entries: function* () {
      const dirs = new Dirs();
      const rnd = prng(700 + half);
      for (let i = 0; i < 500_000; i++) {
        const p = half * 1000 + Math.floor(i / 500);
        const dir = `${SITE}/${packageName(p)}/${SYLLABLES[Math.floor(i / 50) % 10]}${Math.floor(i / 50) % 10}`;
        yield* dirs.ensure(dir);
        yield {
          name: `${dir}/m${i}.py`,
          body: Buffer.from(`value_${rnd() % 1000} = ${rnd() % 100000}  # v${rnd() % 100}\n`),
        };
      }
    },
  });
  return generate(dir, [layer(0), layer(1)], { config: { Cmd: ['python'] } }, 'tiny');
}

/**
 * The same `files` small files (the tiny-files image's shape: site-packages modules of ~40
 * bytes, 500 to a package) cut into `layers` layers of consecutive files, each path written
 * once: what changes from one image of the series to the next is the layer count alone (issue
 * 16: peak RSS per path must not grow with it). Each layer lists the directories it writes into,
 * as docker's tars do. Generated on first use under .bench-data/layers-L-oci.
 */
export async function layerCountImage(layers: number, files = 256_000, root?: string): Promise<string> {
  const dir = join(benchData(root), `layers-${layers}-oci`);
  if (existsSync(join(dir, 'index.json'))) return dir;
  const per = Math.ceil(files / layers);
  const layer = (k: number): LayerPlan => ({
    createdBy: `RUN pip install -r requirements-${k}.txt`,
    entries: function* () {
      const dirs = new Dirs();
      const rnd = prng(900 + k);
      for (let i = k * per; i < Math.min(files, (k + 1) * per); i++) {
        const dir = `${SITE}/${packageName(Math.floor(i / 500))}/${SYLLABLES[Math.floor(i / 50) % 10]}${Math.floor(i / 50) % 10}`;
        yield* dirs.ensure(dir);
        yield { name: `${dir}/m${i}.py`, body: Buffer.from(`value_${rnd() % 1000} = ${rnd() % 100000}\n`) };
      }
    },
  });
  const plans = Array.from({ length: layers }, (_, k) => layer(k));
  return generate(dir, plans, { config: { Cmd: ['python'] } }, `layers-${layers}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const which = process.argv[2] ?? 'ml';
  const dir = which === 'tiny' ? await tinyImage() : await mlImage();
  console.log(dir);
}
