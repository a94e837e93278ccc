/**
 * `db update` against a local HTTP server that serves OSV archives the way the bucket does
 * (GET ECOSYSTEM/all.zip), with the faults a real mirror can produce: a corrupt archive, a
 * download cut short, a 404 for one ecosystem. The previous database must stay usable through all
 * of them. Also osv-scanner's cache layout, read in place and as an update source.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { INDEX_FILE, locateDb, openIndex, openVulnDb, packageKey, updateDb } from '../../src/vulndb/index.js';
import { DEBIAN_ZIP, GO_ZIP, NPM_ZIP } from '../support/osv-fixtures.js';

type Mode = 'good' | 'corrupt' | 'corrupt-late' | 'cut' | '404';
const modes: Record<string, Mode> = {};
const archives: Record<string, Buffer> = {};
let server: Server;
let base: string;
const root = mkdtempSync(join(tmpdir(), 'll-vulndb-'));

before(async () => {
  archives.npm = NPM_ZIP();
  archives.Debian = DEBIAN_ZIP();
  archives.Go = GO_ZIP();
  server = createServer((req, res) => {
    const m = req.url?.match(/^\/([^/]+)\/all\.zip$/);
    const eco = m ? decodeURIComponent(m[1]) : '';
    const mode = modes[eco] ?? 'good';
    const body = archives[eco];
    if (!body || mode === '404') {
      res.writeHead(404).end('not found');
      return;
    }
    if (mode === 'corrupt') {
      const bad = Buffer.from(body);
      for (let i = 40; i < 60; i++) bad[i] ^= 0xff; // inside the first entry's data
      res.writeHead(200, { 'content-length': bad.length }).end(bad);
      return;
    }
    if (mode === 'corrupt-late') {
      // The last entry's data (just before the central directory): the entries before it are read.
      const bad = Buffer.from(body);
      const cd = bad.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      for (let i = cd - 12; i < cd - 4; i++) bad[i] ^= 0xff;
      res.writeHead(200, { 'content-length': bad.length }).end(bad);
      return;
    }
    if (mode === 'cut') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server?.close();
  rmSync(root, { recursive: true, force: true });
});

const lookup = (dir: string, key: string) => {
  const db = openIndex(join(dir, INDEX_FILE));
  try {
    return (db.lookup([key]).get(key) ?? []).map((c) => c.record());
  } finally {
    db.close();
  }
};

test('a good update: records per package, withdrawn left out, severities worked out', async () => {
  const dir = join(root, 'good');
  const r = await updateDb({ dir, base, ecosystems: ['npm', 'Debian'] });
  assert.deepEqual(r.updated, ['npm', 'Debian']);
  assert.deepEqual(r.failed, []);
  assert.equal(r.meta.ecosystems.npm.advisories, 5);
  assert.equal(r.meta.ecosystems.npm.withdrawn, 1);
  // No vector, no rating: unknown (never a guessed level).
  const unrated = lookup(dir, packageKey('npm', 'layerlens-test-unrated'));
  assert.deepEqual(unrated[0].severity, { level: 'unknown', source: 'none' });
  const lodash = lookup(dir, packageKey('npm', 'lodash'));
  assert.deepEqual(lodash.map((x) => x.id).sort(), ['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw']);
  const tmpl = lodash.find((x) => x.id === 'GHSA-35jh-r3h4-6jhm')!;
  assert.deepEqual([tmpl.severity.level, tmpl.severity.score, tmpl.severity.source], ['high', 7.2, 'CVSS_V3']);
  assert.deepEqual(tmpl.aliases, ['CVE-2021-23337']);
  assert.equal(tmpl.url, 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337');
  const tar = lookup(dir, packageKey('Debian:12', 'tar'))[0];
  assert.deepEqual([tar.severity.level, tar.severity.source], ['low', 'Debian urgency']);
  assert.equal(lookup(dir, packageKey('npm', 'left-pad')).length, 0);
  assert.ok(r.indexBytes > 0 && r.buildSeconds >= 0);
  // Nothing left behind but the index.
  assert.deepEqual(readdirSync(dir), [INDEX_FILE]);
});

test('a corrupt archive or a download cut short: the previous database stays as it was', async () => {
  const dir = join(root, 'faults');
  await updateDb({ dir, base, ecosystems: ['npm'] });
  const before = readFileSync(join(dir, INDEX_FILE));
  for (const mode of ['corrupt', 'cut'] as const) {
    modes.npm = mode;
    await assert.rejects(updateDb({ dir, base, ecosystems: ['npm'] }), (err: Error & { code?: string }) => {
      assert.match(err.message, mode === 'corrupt' ? /not a valid OSV archive/ : /interrupted|terminated|socket/i);
      assert.match(err.message, /previous database is unchanged/);
      return true;
    });
    assert.ok(readFileSync(join(dir, INDEX_FILE)).equals(before), `${mode}: index untouched`);
    assert.equal(lookup(dir, packageKey('npm', 'minimist')).length, 1, `${mode}: still usable`);
    assert.deepEqual(readdirSync(dir), [INDEX_FILE], `${mode}: no temporary files left`);
  }
  delete modes.npm;
});

test('one ecosystem fails (404, cut): the others update and it keeps its previous data', async () => {
  const dir = join(root, 'partial');
  await updateDb({ dir, base, ecosystems: ['npm', 'Debian'] });
  const fetchedBefore = openIndex(join(dir, INDEX_FILE)).ecosystems.npm.fetched;
  modes.npm = 'cut';
  modes.Go = '404';
  const r = await updateDb({
    dir,
    base,
    ecosystems: ['npm', 'Debian', 'Go'],
    now: () => new Date(Date.now() + 60_000),
  });
  delete modes.npm;
  delete modes.Go;
  assert.deepEqual(r.updated, ['Debian']);
  assert.deepEqual(r.failed.map((f) => f.ecosystem).sort(), ['Go', 'npm']);
  assert.match(r.failed.find((f) => f.ecosystem === 'Go')!.error, /404/);
  const db = openIndex(join(dir, INDEX_FILE));
  assert.equal(db.ecosystems.npm.fetched, fetchedBefore, "npm's previous data and date kept");
  assert.ok(!db.ecosystems.Go);
  assert.equal(db.lookup([packageKey('npm', 'lodash')]).get(packageKey('npm', 'lodash'))?.length, 2);
  db.close();
});

test("osv-scanner's offline cache: found, read for the packages asked only, and usable as an update source", async () => {
  const cache = join(root, 'osv-cache');
  mkdirSync(join(cache, 'osv-scanner', 'npm'), { recursive: true });
  writeFileSync(join(cache, 'osv-scanner', 'npm', 'all.zip'), archives.npm);
  const loc = locateDb(undefined, {
    HOME: join(root, 'nohome'),
    XDG_CACHE_HOME: join(root, 'nohome'),
    OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY: cache,
  });
  assert.equal(loc.kind, 'osv-scanner');
  const key = packageKey('npm', 'minimist');
  const db = (await openVulnDb(loc, new Set([key])))!;
  assert.equal(db.lookup([key]).get(key)?.[0].record().id, 'GHSA-xvch-5gv4-984h');
  assert.equal(db.lookup([packageKey('npm', 'lodash')]).size, 0, 'only the keys asked for are kept');
  assert.ok(db.ecosystems.npm.fetched);
  const dir = join(root, 'from-cache');
  const r = await updateDb({ dir, base: join(cache, 'osv-scanner'), ecosystems: ['npm'] });
  assert.deepEqual(r.updated, ['npm']);
  assert.equal(r.meta.ecosystems.npm.source, join(cache, 'osv-scanner', 'npm', 'all.zip'));
  assert.equal(locateDb(dir).kind, 'index');
  assert.equal(locateDb(join(root, 'nothing-here')).kind, 'none');
  assert.ok(statSync(join(dir, INDEX_FILE)).size > 0);
});

test('an archive found bad after some of its records were read leaves none of them in the index', async () => {
  const dir = join(root, 'late');
  await updateDb({ dir, base, ecosystems: ['npm', 'Debian'] });
  modes.npm = 'corrupt-late';
  const r = await updateDb({ dir, base, ecosystems: ['npm', 'Debian'] });
  delete modes.npm;
  assert.deepEqual(r.updated, ['Debian']);
  assert.match(r.failed[0].error, /not a valid OSV archive/);
  // The previous npm records, once each: the bad archive's records were taken back out.
  assert.deepEqual(
    lookup(dir, packageKey('npm', 'lodash'))
      .map((x) => x.id)
      .sort(),
    ['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw'],
  );
  assert.equal(r.meta.records, r.meta.ecosystems.npm.records + r.meta.ecosystems.Debian.records);
});

test('an index of format 1 (records as one JSON array per key) is still read, and carried into a new one', async () => {
  const { bucketOf, BUCKETS } = await import('../../src/vulndb/index-file.js');
  const dir = join(root, 'format1');
  mkdirSync(dir, { recursive: true });
  const key = packageKey('Go', 'stdlib');
  const rec = {
    id: 'GO-2023-1840',
    aliases: ['CVE-2023-29403'],
    severity: { level: 'unknown', source: 'none' },
    ranges: [
      {
        type: 'SEMVER',
        events: [
          ['introduced', '0'],
          ['fixed', '1.19.10'],
        ],
      },
    ],
    url: 'https://osv.dev/vulnerability/GO-2023-1840',
  };
  const blob = Buffer.from(JSON.stringify([rec]));
  const table = Buffer.from(`${key}\t40\t${blob.length}\n`);
  const directory = Buffer.alloc(BUCKETS * 8);
  directory.writeUInt32LE(0, bucketOf(key) * 8);
  directory.writeUInt32LE(table.length, bucketOf(key) * 8 + 4);
  const info = {
    source: 'x',
    fetched: new Date().toISOString(),
    sha256: '',
    bytes: 0,
    advisories: 1,
    withdrawn: 0,
    records: 1,
    newestModified: null,
  };
  const meta = Buffer.from(
    JSON.stringify({ format: 1, built: info.fetched, ecosystems: { Go: info }, keys: 1, records: 1 }),
  );
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return b;
  };
  const tableAt = 40 + blob.length;
  const dirAt = tableAt + table.length;
  const metaAt = dirAt + directory.length;
  writeFileSync(
    join(dir, INDEX_FILE),
    Buffer.concat([
      Buffer.from('LLOSVDB1'),
      u64(metaAt),
      u64(meta.length),
      u64(dirAt),
      u64(tableAt),
      blob,
      table,
      directory,
      meta,
    ]),
  );
  const got = lookup(dir, key);
  assert.deepEqual(
    got.map((x) => x.id),
    ['GO-2023-1840'],
  );
  // An update of npm keeps Go's format-1 records, now in format 2.
  const r = await updateDb({ dir, base, ecosystems: ['npm'] });
  assert.equal(r.meta.format, 2);
  assert.deepEqual(Object.keys(r.meta.ecosystems).sort(), ['Go', 'npm']);
  assert.deepEqual(
    lookup(dir, key).map((x) => x.aliases),
    [['CVE-2023-29403']],
  );
  assert.equal(readFileSync(join(dir, INDEX_FILE)).toString('latin1', 0, 8), 'LLOSVDB2');
});
