/**
 * The vulnerability database's costs: `db update`'s index build (time, size, peak RSS) from
 * generated OSV archives of realistic size, and a scan's look-ups (time, memory) for the packages
 * of a realistic Debian image plus an application's node_modules.
 *
 *   node --import tsx bench/vulndb.ts [--debian 45000] [--npm 210000] [--lookups 900]
 *
 * The archives are generated in the real schema (ids, ranges, CVSS vectors, Debian urgencies),
 * written as zip files by a small writer here (deflated entries, zip64 end records).
 */
import { deflateRawSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { crc32 } from '../src/text/zip.js';
import { INDEX_FILE, openIndex, packageKey, updateDb } from '../src/vulndb/index.js';

const { values } = parseArgs({
  options: { debian: { type: 'string' }, npm: { type: 'string' }, lookups: { type: 'string' } },
});
const DEBIAN = Number(values.debian ?? 45_000);
const NPM = Number(values.npm ?? 210_000);
const LOOKUPS = Number(values.lookups ?? 900);

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
function debianArchive(): Buffer {
  const out: Array<[string, Buffer]> = [];
  for (let i = 0; i < DEBIAN; i++) {
    const src = `srcpkg${i % 3500}`;
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
            events: [{ introduced: '0' }, ...(i % 4 ? [{ fixed: `1.${k}.${i % 50}-1+deb${k + 11}u1` }] : [])],
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

const root = mkdtempSync(join(tmpdir(), 'll-bench-vulndb-'));
try {
  const mirror = join(root, 'mirror');
  let t = performance.now();
  for (const [eco, make] of [
    ['Debian', debianArchive],
    ['npm', npmArchive],
  ] as const) {
    mkdirSync(join(mirror, eco), { recursive: true });
    const z = make();
    writeFileSync(join(mirror, eco, 'all.zip'), z);
    console.log(`generated ${eco}/all.zip: ${(z.length / 1048576).toFixed(1)} MiB`);
  }
  console.log(`(generation ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const rssBefore = process.memoryUsage().rss;
  t = performance.now();
  const r = await updateDb({ dir: join(root, 'db'), base: mirror, ecosystems: ['Debian', 'npm'] });
  const wall = (performance.now() - t) / 1000;
  console.log(
    `db update: ${r.meta.ecosystems.Debian.advisories} Debian + ${r.meta.ecosystems.npm.advisories} npm advisories -> ${r.meta.keys} packages, ${r.meta.records} records; ` +
      `index ${(r.indexBytes / 1048576).toFixed(1)} MiB; build ${r.buildSeconds.toFixed(1)} s of ${wall.toFixed(1)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (process before: ${(rssBefore / 1048576).toFixed(0)} MB)`,
  );
  // A scan's look-ups: ~450 Debian source packages and the rest npm, a few dozen of them affected.
  const keys: string[] = [];
  for (let i = 0; i < LOOKUPS; i++)
    keys.push(i % 2 ? packageKey('Debian:12', `srcpkg${i * 7}`) : packageKey('npm', `pkg-${i * 13}`));
  for (let round = 0; round < 5; round++) {
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const db = openIndex(join(root, 'db', INDEX_FILE));
    const got = db.lookup(keys);
    db.close();
    const ms = performance.now() - t0;
    let recs = 0;
    for (const v of got.values()) recs += v.length;
    console.log(
      `scan look-ups, round ${round + 1}: ${keys.length} packages -> ${got.size} with records (${recs} records) in ${ms.toFixed(1)} ms, heap +${((process.memoryUsage().heapUsed - heap0) / 1048576).toFixed(1)} MB`,
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
