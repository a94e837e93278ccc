/**
 * The vulnerability database's costs, each measured in a fresh process on the built dist/
 * (bench/vulndb-child.mjs): `db update`'s index build from generated OSV archives of realistic
 * size (time, index size, PEAK RSS), and what matching adds to `scan` on the realistic Debian
 * image (wall time and peak RSS, scan with the database against scan without one, in alternating
 * pairs).
 *
 *   npm run build && node --import tsx bench/vulndb.ts [--debian 45000] [--npm 210000]
 *        [--rounds 9] [--builds 2] [--keep DIR] [--realistic ARCHIVE]
 *
 * The archives are generated in the real schema (ids, ranges, CVSS vectors, Debian urgencies),
 * written as zip files by a small writer here (deflated entries, zip64 end records). A third of
 * the Debian advisories name the source packages of the realistic image (so a scan's look-ups
 * find ~180 records per package, and one in a hundred of those affects the installed version),
 * the rest made-up packages. `--keep DIR` keeps the archives (and reuses them when present). The realistic image:
 * --realistic, $LAYERLENS_REALISTIC_ARCHIVE, or $LAYERLENS_IT_WORKDIR/realistic/bookworm-nginx.docker.tar
 * (test/support/realistic.ts builds it).
 */
import { spawnSync } from 'node:child_process';
import { deflateRawSync } from 'node:zlib';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ImageModel } from '../src/engine/image.js';
import { createContentInspector } from '../src/findings/index.js';
import { packageInventory } from '../src/findings/packages/index.js';
import { openImage } from '../src/sources/open.js';
import { crc32 } from '../src/text/zip.js';

const { values } = parseArgs({
  options: {
    debian: { type: 'string' },
    npm: { type: 'string' },
    rounds: { type: 'string' },
    builds: { type: 'string' },
    keep: { type: 'string' },
    realistic: { type: 'string' },
  },
});
const DEBIAN = Number(values.debian ?? 45_000);
const NPM = Number(values.npm ?? 210_000);
const ROUNDS = Number(values.rounds ?? 9);
const BUILDS = Number(values.builds ?? 2);
const REALISTIC =
  values.realistic ??
  process.env.LAYERLENS_REALISTIC_ARCHIVE ??
  (process.env.LAYERLENS_IT_WORKDIR
    ? join(process.env.LAYERLENS_IT_WORKDIR, 'realistic', 'bookworm-nginx.docker.tar')
    : undefined);
const CHILD = fileURLToPath(new URL('./vulndb-child.mjs', import.meta.url));

function zip(entries: Array<[string, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const [name, data] of entries) {
    const comp = deflateRawSync(data);
    const n = Buffer.from(name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(8, 8);
    h.writeUInt32LE(crc32(data), 14);
    h.writeUInt32LE(comp.length, 18);
    h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(crc32(data), 16);
    c.writeUInt32LE(comp.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(off, 42);
    parts.push(h, n, comp);
    central.push(c, n);
    off += 30 + n.length + comp.length;
  }
  const cd = Buffer.concat(central);
  const z64 = Buffer.alloc(56);
  z64.writeUInt32LE(0x06064b50, 0);
  z64.writeBigUInt64LE(44n, 4);
  z64.writeUInt16LE(45, 12);
  z64.writeUInt16LE(45, 14);
  z64.writeBigUInt64LE(BigInt(entries.length), 24);
  z64.writeBigUInt64LE(BigInt(entries.length), 32);
  z64.writeBigUInt64LE(BigInt(cd.length), 40);
  z64.writeBigUInt64LE(BigInt(off), 48);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0);
  loc.writeBigUInt64LE(BigInt(off + cd.length), 8);
  loc.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12);
  end.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([...parts, cd, z64, loc, end]);
}

const urg = ['unimportant', 'low', 'medium', 'high', 'not yet assigned'];
function debianArchive(real: string[]): Buffer {
  const out: Array<[string, Buffer]> = [];
  for (let i = 0; i < DEBIAN; i++) {
    const named = real.length > 0 && i % 3 === 0;
    const src = named ? real[((i / 3) | 0) % real.length] : `srcpkg${i % 3500}`;
    // Made-up packages: a fix in three of four. The image's own: most fixed long ago (in versions
    // below any installed one — `0~…` sorts before every version — 280 different ones: few
    // advisories share a range, the costly case for matching), one in a hundred with no fix
    // (affects it: ~150 vulnerabilities in all, the order scanners report for such an image).
    const fixed = (k: number): string | undefined =>
      named
        ? i % 100 === 0
          ? undefined
          : `0~${i % 40}.${i % 7}-1`
        : i % 4
          ? `1.${k}.${i % 50}-1+deb${k + 11}u1`
          : undefined;
    const id = `DEBIAN-CVE-${2000 + (i % 25)}-${10000 + i}`;
    const doc = {
      id,
      modified: '2026-11-20T00:00:00Z',
      upstream: [id.slice(7)],
      summary: `generated advisory ${i}`,
      affected: ['Debian:11', 'Debian:12', 'Debian:13'].map((eco, k) => ({
        package: { ecosystem: eco, name: src },
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: [{ introduced: '0' }, ...(fixed(k) ? [{ fixed: fixed(k) }] : [])],
          },
        ],
        ecosystem_specific: { urgency: urg[i % urg.length] },
      })),
    };
    out.push([`${id}.json`, Buffer.from(JSON.stringify(doc))]);
  }
  return zip(out);
}

function npmArchive(): Buffer {
  const out: Array<[string, Buffer]> = [];
  for (let i = 0; i < NPM; i++) {
    const mal = i % 10 !== 0; // most of OSV's npm entries are MAL- (malicious package) advisories
    const id = mal ? `MAL-2025-${i}` : `GHSA-${i.toString(36).padStart(4, 'x')}-gen-${i % 997}`;
    const name = mal ? `malicious-${i}` : `pkg-${i % 16000}`;
    const doc = {
      id,
      modified: '2026-11-20T00:00:00Z',
      ...(mal
        ? {}
        : {
            aliases: [`CVE-2024-${20000 + i}`],
            severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
          }),
      summary: mal ? 'Malicious code in package' : `generated advisory ${i}`,
      affected: [
        {
          package: { ecosystem: 'npm', name },
          ranges: [
            { type: 'SEMVER', events: [{ introduced: '0' }, ...(mal ? [] : [{ fixed: `${1 + (i % 5)}.2.${i % 9}` }])] },
          ],
          ...(mal ? { versions: ['1.0.0', '1.0.1'] } : {}),
        },
      ],
      database_specific: mal ? {} : { severity: 'HIGH' },
    };
    out.push([`${id}.json`, Buffer.from(JSON.stringify(doc))]);
  }
  return zip(out);
}

/** Source package names of the realistic image's dpkg database. */
async function realSources(archive: string | undefined): Promise<string[]> {
  if (!archive || !existsSync(archive)) return [];
  const reader = await openImage(archive, { source: 'archive', pull: false, insecure: false, plainHttp: false });
  try {
    const model = new ImageModel();
    await model.load(reader, { inspectContent: createContentInspector() });
    return [
      ...new Set(
        packageInventory(model)
          .packages.filter((p) => p.type === 'deb')
          .map((p) => p.source ?? p.name),
      ),
    ];
  } finally {
    await reader.close();
  }
}

function child(...args: string[]): Record<string, number> {
  const r = spawnSync(process.execPath, [CHILD, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`vulndb-child ${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[], d = 0) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;

const root = values.keep ?? mkdtempSync(join(tmpdir(), 'll-bench-vulndb-'));
try {
  const mirror = join(root, 'mirror');
  const real = await realSources(REALISTIC);
  console.log(
    REALISTIC && real.length
      ? `realistic image ${REALISTIC}: ${real.length} source packages named by the Debian advisories`
      : 'no realistic image (see the header): the Debian advisories name made-up packages only, and scan is not measured',
  );
  if (!existsSync(join(mirror, 'npm', 'all.zip')) || !existsSync(join(mirror, 'Debian', 'all.zip'))) {
    const t = performance.now();
    for (const [eco, make] of [
      ['Debian', () => debianArchive(real)],
      ['npm', npmArchive],
    ] as const) {
      mkdirSync(join(mirror, eco), { recursive: true });
      const z = make();
      writeFileSync(join(mirror, eco, 'all.zip'), z);
      console.log(`generated ${eco}/all.zip: ${(z.length / 1048576).toFixed(1)} MiB`);
    }
    console.log(`(generation ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  } else console.log(`reusing the archives in ${mirror}`);

  // db update, each in a process of its own: its peak RSS is the build's.
  const builds: Array<Record<string, number>> = [];
  for (let i = 0; i < BUILDS; i++) {
    const db = join(root, `db-${i}`);
    rmSync(db, { recursive: true, force: true });
    const r = child('build', mirror, db, 'Debian', 'npm');
    builds.push(r);
    console.log(
      `db update ${i + 1}: ${JSON.stringify(r.advisories)} -> ${r.keys} packages, ${r.records} records; index ${(r.indexBytes / 1048576).toFixed(1)} MiB; build ${r.buildSeconds.toFixed(1)} s of ${r.wallSeconds.toFixed(1)} s; peak RSS ${r.maxRssMB.toFixed(0)} MB`,
    );
  }
  console.log(
    `db update: build ${range(
      builds.map((b) => b.buildSeconds),
      1,
    )} s, peak RSS ${range(builds.map((b) => b.maxRssMB))} MB`,
  );

  if (REALISTIC && real.length) {
    // scan without a database and with one, in alternating pairs (which goes first alternates too).
    const db = join(root, 'db-0');
    const rows: Array<{ none: Record<string, number>; vulns: Record<string, number> }> = [];
    for (let i = 0; i < ROUNDS; i++) {
      const first = i % 2 === 0 ? 'none' : db;
      const a = child('scan', REALISTIC, first);
      const b = child('scan', REALISTIC, first === 'none' ? db : 'none');
      const row = first === 'none' ? { none: a, vulns: b } : { none: b, vulns: a };
      rows.push(row);
      console.log(
        `scan ${i + 1}: without ${row.none.ms.toFixed(0)} ms (checks ${row.none.checksMs.toFixed(0)}) / ${row.none.maxRssMB.toFixed(0)} MB; with ${row.vulns.ms.toFixed(0)} ms (database opened ${row.vulns.ctxMs.toFixed(0)}, checks ${row.vulns.checksMs.toFixed(0)}) / ${row.vulns.maxRssMB.toFixed(0)} MB; ${row.vulns.vulnerabilities} vulnerabilities`,
      );
    }
    const over = rows.map((r) => (100 * (r.vulns.ms - r.none.ms)) / r.none.ms);
    const cpuOver = rows.map((r) => (100 * (r.vulns.cpuMs - r.none.cpuMs)) / r.none.cpuMs);
    const rssOver = rows.map((r) => r.vulns.maxRssMB - r.none.maxRssMB);
    console.log(
      `scan of the realistic image, ${ROUNDS} alternating pairs (medians): without ${median(rows.map((r) => r.none.ms)).toFixed(0)} ms, with ${median(rows.map((r) => r.vulns.ms)).toFixed(0)} ms; ` +
        `matching (database opened + the checks' difference) ${median(rows.map((r) => r.vulns.ctxMs + r.vulns.checksMs - r.none.checksMs)).toFixed(0)} ms; wall overhead ${median(over).toFixed(1)}% [pairs ${range(over, 1)}], CPU ${median(cpuOver).toFixed(1)}% [${range(cpuOver, 1)}]; ` +
        `peak RSS ${median(rows.map((r) => r.none.maxRssMB)).toFixed(0)} → ${median(rows.map((r) => r.vulns.maxRssMB)).toFixed(0)} MB (+${median(rssOver).toFixed(0)} MB [${range(rssOver)}])`,
    );
  }
} finally {
  if (!values.keep) rmSync(root, { recursive: true, force: true });
}
