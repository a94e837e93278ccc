/** rpm's sqlite database read without a native module: files made by the real sqlite3 tool. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { osInventory } from '../../../src/findings/os/index.js';
import { readRpmSqlite } from '../../../src/findings/os/rpm-sqlite.js';
import { which } from '../../support/harness.js';
import { loadImage } from '../../support/findings-image.js';
import { RAW_JS_ERROR } from '../../support/hostile-cli.js';
import { scanFindings } from '../../support/scan-entries.js';

/** An rpm header blob (as rpmdb stores it): index entries + data store. */
function rpmHeader(tags: Array<[number, 'string' | 'int32', string | number]>): Buffer {
  const entries: Buffer[] = [];
  const data: Buffer[] = [];
  let off = 0;
  for (const [tag, type, value] of tags) {
    let d: Buffer;
    if (type === 'int32') {
      const pad = (4 - (off % 4)) % 4;
      if (pad) {
        data.push(Buffer.alloc(pad));
        off += pad;
      }
      d = Buffer.alloc(4);
      d.writeUInt32BE(value as number);
    } else d = Buffer.from(String(value) + '\0');
    const e = Buffer.alloc(16);
    e.writeUInt32BE(tag, 0);
    e.writeUInt32BE(type === 'int32' ? 4 : 6, 4);
    e.writeUInt32BE(off, 8);
    e.writeUInt32BE(1, 12);
    entries.push(e);
    data.push(d);
    off += d.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(tags.length, 0);
  head.writeUInt32BE(off, 4);
  return Buffer.concat([head, ...entries, ...data]);
}

type FakeRpm = {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch: string;
  src: string;
  big?: boolean;
};

function makeDb(pkgs: FakeRpm[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'll-rpm-'));
  try {
    const file = join(dir, 'rpmdb.sqlite');
    const rows = pkgs.map((p) => {
      const tags: Array<[number, 'string' | 'int32', string | number]> = [
        [1000, 'string', p.name],
        [1001, 'string', p.version],
        [1002, 'string', p.release],
        ...(p.epoch !== undefined ? ([[1003, 'int32', p.epoch]] as Array<[number, 'int32', number]>) : []),
        [1014, 'string', 'MIT'],
        [1022, 'string', p.arch],
        [1044, 'string', p.src],
        // Filler makes real headers' size (several KiB): exercises overflow pages.
        ...(p.big ? ([[1005, 'string', 'd'.repeat(20000)]] as Array<[number, 'string', string]>) : []),
      ];
      return `(X'${rpmHeader(tags).toString('hex')}')`;
    });
    const sql = `CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);
CREATE TABLE 'Name' (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL);
INSERT INTO Packages(blob) VALUES ${rows.join(',')};`;
    execFileSync('sqlite3', [file], { input: sql });
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const skip = which('sqlite3') ? undefined : 'needs the sqlite3 tool to make test databases';

test('reads packages from an rpmdb.sqlite (overflow pages, epoch, source rpm)', { skip }, () => {
  const pkgs: FakeRpm[] = Array.from({ length: 300 }, (_, i) => ({
    name: `pkg${i}`,
    version: `1.${i}`,
    release: `${i}.el9`,
    arch: 'x86_64',
    src: `pkg${i}-1.${i}-${i}.el9.src.rpm`,
    big: i % 50 === 0,
  }));
  pkgs.push({
    name: 'openssl-libs',
    version: '3.0.7',
    release: '27.el9',
    epoch: 1,
    arch: 'x86_64',
    src: 'openssl-3.0.7-27.el9.src.rpm',
    big: true,
  });
  pkgs.push({ name: 'gpg-pubkey', version: 'fd431d51', release: '4ae0493b', arch: '(none)', src: '' });
  const out = readRpmSqlite(makeDb(pkgs));
  assert.equal(out.length, 301, 'gpg-pubkey pseudo packages are left out');
  const ssl = out.find((p) => p.name === 'openssl-libs')!;
  assert.deepEqual(ssl, {
    name: 'openssl-libs',
    version: '1:3.0.7-27.el9',
    manager: 'rpm',
    arch: 'x86_64',
    license: 'MIT',
    source: 'openssl',
  });
  assert.equal(out.find((p) => p.name === 'pkg250')!.version, '1.250-250.el9');
  assert.throws(
    () => readRpmSqlite(Buffer.from('not a database at all, not at all, really not one'.repeat(4))),
    /not an SQLite/,
  );
});

test('an rpm image gets its inventory from the layer stream; unreadable formats are reported, not guessed', {
  skip,
}, async () => {
  const db = makeDb([
    { name: 'bash', version: '5.1.8', release: '9.el9', arch: 'x86_64', src: 'bash-5.1.8-9.el9.src.rpm' },
  ]);
  const model = await loadImage({
    layers: [
      {
        entries: [
          { name: 'etc/os-release', content: 'ID="rocky"\nVERSION_ID="9.4"\n' },
          { name: 'var/lib/rpm/rpmdb.sqlite', content: db },
        ],
      },
    ],
  });
  const inv = osInventory(model);
  assert.equal(inv.manager, 'rpm');
  assert.deepEqual(
    inv.packages.map((p) => `${p.name}@${p.version}`),
    ['bash@5.1.8-9.el9'],
  );
  const bdb = await loadImage({
    layers: [{ entries: [{ name: 'var/lib/rpm/Packages', content: Buffer.alloc(4096, 1) }] }],
  });
  assert.match(osInventory(bdb).notes.join(), /rpm database present \(Berkeley DB format\), inventory not read/);
});

/** A database of one package: `page(n)` is page n's bytes (from 1), `root` the Packages table's leaf. */
function smallDb(): { db: Buffer; page: (n: number) => Buffer; root: number } {
  const db = makeDb([
    { name: 'bash', version: '5.1.8', release: '9.el9', arch: 'x86_64', src: 'bash-5.1.8-9.el9.src.rpm' },
  ]);
  const size = db.readUInt16BE(16);
  const page = (n: number) => db.subarray((n - 1) * size, n * size);
  // The first table created (makeDb) has the first page after sqlite_master's: a leaf.
  const root = 2;
  assert.equal(page(root)[0], 13);
  return { db, page, root };
}

/**
 * Interior b-tree pages, each of whose children is the next page, the last one's the leaf:
 * `levels` of them in place of the table's root page, the leaf after them.
 */
function chainedInteriorPages(levels: number): Buffer {
  const { db, page, root } = smallDb();
  const size = page(1).length;
  const pages = Math.ceil(db.length / size);
  const out = [db];
  const leaf = Buffer.from(page(root));
  for (let k = 0; k < levels; k++) {
    const p = k === 0 ? page(root) : Buffer.alloc(size);
    const child = k === levels - 1 ? pages + levels : pages + k + 1;
    p.fill(0);
    p[0] = 5; // interior table page
    p.writeUInt16BE(2, 3); // two cells…
    p.writeUInt16BE(100, 5);
    p.writeUInt32BE(child, 8); // …and the right-most pointer: three ways to the same child
    p.writeUInt16BE(100, 12);
    p.writeUInt16BE(100, 14); // both cells are the one at 100
    p.writeUInt32BE(child, 100);
    p[104] = 1; // its key
    if (k > 0) out.push(p);
  }
  out.push(leaf);
  return Buffer.concat(out);
}

test('a page reached twice is refused: interior pages sharing children are not walked 3^31 times', {
  skip,
}, async () => {
  // 32 pages more than the real file: the walk had 3^31 ways to the leaf, and never ended.
  const bomb = chainedInteriorPages(31);
  assert.ok(bomb.length < 256 * 1024);
  const findings = await scanFindings([
    { name: 'etc/os-release', content: 'ID="rocky"\nVERSION_ID="9.4"\n' },
    { name: 'var/lib/rpm/rpmdb.sqlite', content: bomb },
  ]);
  const note = findings.find((f) => f.ruleId === 'os-inventory-incomplete');
  assert.match(note?.message ?? '', /inventory not read \(SQLite page \d+ is used twice\)/);
  assert.throws(() => readRpmSqlite(bomb), /SQLite page \d+ is used twice/);
  // A real database of interior pages (many packages) still reads.
  const many = makeDb(
    Array.from({ length: 200 }, (_, i) => ({ name: `p${i}`, version: '1', release: '1', arch: 'noarch', src: '' })),
  );
  assert.equal(readRpmSqlite(many).length, 200);
});

test('an offset past its page is said in words, not as a raw JavaScript error', { skip }, async () => {
  const { db, page, root } = smallDb();
  // The leaf's only cell pointer now points past the page's end.
  page(root).writeUInt16BE(0xfff0, 8);
  assert.throws(
    () => readRpmSqlite(db),
    (err: Error) => err.message === 'damaged SQLite database (an offset points outside its page)',
  );
  const findings = await scanFindings([
    { name: 'etc/os-release', content: 'ID="rocky"\nVERSION_ID="9.4"\n' },
    { name: 'var/lib/rpm/rpmdb.sqlite', content: db },
  ]);
  const note = findings.find((f) => f.ruleId === 'os-inventory-incomplete')?.message ?? '';
  assert.match(note, /inventory not read \(damaged SQLite database/);
  assert.doesNotMatch(note, RAW_JS_ERROR);
});
