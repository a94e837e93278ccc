/**
 * Raw chunks lent to the engine (src/engine/lent-chunks.ts): the gzip decoder gives each back
 * once, only after zlib has taken all its bytes, and nothing that reads raw chunks keeps a view of
 * one. Every chunk is overwritten the moment it is given back, as the registry's download worker
 * overwrites a batch it gets back: a chunk given back too early, or a view of one kept, shows as
 * wrong output, a wrong diffID or a missed eStargz footer.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import { BlobTail } from '../../src/engine/estargz.js';
import { GzipMembers } from '../../src/engine/gzip-members.js';
import { giveBack, isLent, lend } from '../../src/engine/lent-chunks.js';
import { entryList, parseLayer } from '../../src/engine/parse-layer.js';
import { stargzFooter } from '../support/tar-craft.js';

/** `data` cut into lent copies of `sizes()` bytes; each is poisoned when given back. */
function lentPieces(data: Buffer, sizes: () => number): { pieces: Buffer[]; returned: Map<Buffer, number> } {
  const pieces: Buffer[] = [];
  const returned = new Map<Buffer, number>();
  for (let off = 0; off < data.length; ) {
    const n = Math.max(1, Math.min(sizes(), data.length - off));
    const piece = Buffer.from(data.subarray(off, off + n)); // its own memory, as a batch has
    off += n;
    lend(piece, (c) => {
      returned.set(piece, (returned.get(piece) ?? 0) + 1);
      assert.equal(c, piece);
      piece.fill(0xaa); // reused at once
    });
    pieces.push(piece);
  }
  return { pieces, returned };
}

/** Every piece was given back, and each once. */
function assertEachBackOnce(pieces: Buffer[], returned: Map<Buffer, number>): void {
  assert.equal(returned.size, pieces.length, 'every chunk given back');
  assert.ok(
    [...returned.values()].every((n) => n === 1),
    'each once',
  );
}

function decode(pieces: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const d = new GzipMembers();
    const out: Buffer[] = [];
    d.on('data', (c: Buffer) => out.push(Buffer.from(c)));
    d.on('end', () => resolve(Buffer.concat(out)));
    d.on('error', reject);
    let i = 0;
    const next = () => {
      while (i < pieces.length) if (!d.write(pieces[i++])) return void d.once('drain', next);
      d.end();
    };
    next();
  });
}

test('a lent chunk goes back to its lender once; other chunks are left alone', () => {
  const a = Buffer.alloc(8);
  const b = Buffer.alloc(8);
  let backs = 0;
  lend(a, () => backs++);
  assert.equal(isLent(a), true);
  giveBack(b); // never lent
  giveBack(a);
  giveBack(a);
  assert.equal(backs, 1);
  assert.equal(isLent(a), false);
});

test('the gzip decoder gives every chunk back once, after zlib took its bytes (one member, many, eStargz-like)', async () => {
  const text = Buffer.from(
    Array.from({ length: 40_000 }, (_, i) => `line ${i} ${i % 5 ? 'x' : randomBytes(8).toString('hex')}\n`).join(''),
  );
  const cases = [
    zlib.gzipSync(text),
    zlib.gzipSync(randomBytes(600_000)),
    Buffer.concat([zlib.gzipSync(text), zlib.gzipSync(randomBytes(200_000)), zlib.gzipSync(Buffer.alloc(0))]),
    Buffer.concat(
      Array.from({ length: 200 }, (_, i) => zlib.gzipSync(text.subarray(i * 90, i * 90 + randomInt(0, 400)))),
    ),
  ];
  for (const gz of cases) {
    const want = zlib.gunzipSync(gz);
    for (const sizes of [() => 1 << 20, () => randomInt(1, 9), () => randomInt(1, 70_000)]) {
      const { pieces, returned } = lentPieces(gz, sizes);
      assert.deepEqual(await decode(pieces), want);
      assertEachBackOnce(pieces, returned);
    }
  }
});

test('a chunk is not given back when the data is corrupt (zlib may still hold it)', async () => {
  // A gzip header, then a deflate block of the reserved type (BFINAL 1, BTYPE 11): zlib fails on
  // the first chunk, and the decoder stops there.
  const gz = Buffer.concat([zlib.gzipSync(Buffer.alloc(0)).subarray(0, 10), Buffer.from([0x07]), randomBytes(300_000)]);
  const { pieces, returned } = lentPieces(gz, () => 64 << 10);
  await assert.rejects(decode(pieces), /invalid block type/);
  assert.equal(returned.size, 0);
});

test('the eStargz footer is found from copied tail bytes when the raw chunks go back', async () => {
  const tar = await buildTar([
    { name: 'app', content: randomBytes(200_000) },
    { name: 'stargz.index.json', content: '{}' },
    { name: '.prefetch.landmark', content: 'x' },
  ]);
  const gz = zlib.gzipSync(tar);
  for (const legacy of [false, true]) {
    const blob = Buffer.concat([gz, stargzFooter(gz.length, legacy)]);
    // The footer split across the last chunks in every way, down to one byte each.
    for (const last of [1, 5, 30, 63, 64, 65, 200]) {
      const cut = blob.length - last;
      const { pieces: head } = lentPieces(blob.subarray(0, cut), () => randomInt(1000, 50_000));
      const { pieces: tail } = lentPieces(blob.subarray(cut), () => randomInt(1, 4));
      const parsed = await parseLayer(Readable.from([...head, ...tail], { objectMode: false }));
      const names = entryList(parsed).map((e) => (e.kind === 'entry' ? e.path : e.kind));
      assert.deepEqual(names, ['app'], `footer found (legacy ${legacy}, last ${last})`);
      assert.equal(parsed.diffId, sha256(tar));
    }
  }
});

test("a blob's tail bytes: the last 64, whatever the chunks", () => {
  for (let round = 0; round < 200; round++) {
    const tail = new BlobTail();
    const chunks: Buffer[] = [];
    for (let i = randomInt(0, 12); i > 0; i--) {
      const c = randomBytes(randomInt(0, round % 2 ? 20 : 150));
      chunks.push(c);
      tail.push(c);
      const all = Buffer.concat(chunks);
      assert.deepEqual(tail.bytes(), all.subarray(Math.max(0, all.length - 64)));
    }
  }
});

/**
 * A plain tar's chunks go back too, once the tar reader has read them: the reader copies a record
 * that runs on into the next chunk, and every sink copies what it keeps past a call. Checked with
 * every check's inspector on a layer made to straddle chunks everywhere: PAX records (long names),
 * a streamed text file larger than a batch with a fake secret and a private key across cuts, small
 * files, an OS package database and a package manifest: the tree and every inspector result must be
 * what an unlent read gives, with each chunk overwritten as it goes back.
 */
test("a plain tar's chunks go back once read, and nothing read from them changes", async () => {
  const { createContentInspector } = await import('../../src/findings/index.js');
  const { alnum, rsaPem } = await import('../support/fake-secrets.js');
  const token = `ghp_${alnum(36)}`;
  const big = Array.from({ length: 30_000 }, (_, i) =>
    i === 7_000 ? `GITHUB_TOKEN=${token}` : i === 21_000 ? rsaPem() : `line ${i} of a config file`,
  ).join('\n');
  const specs = [
    { name: `srv/${'d'.repeat(200)}/${'n'.repeat(120)}.env`, content: `API_TOKEN=${alnum(40)}\n` },
    { name: 'srv/big.conf', content: big },
    ...Array.from({ length: 300 }, (_, i) => ({ name: `app/m${i}.py`, content: `value_${i} = ${i}\n` })),
    { name: 'app/settings.py', content: `SECRET_KEY = "${alnum(50)}"\n` },
    {
      name: 'var/lib/dpkg/status',
      content: 'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\n\n',
    },
    { name: 'app/node_modules/left-pad/package.json', content: '{"name":"left-pad","version":"1.3.0"}' },
  ];
  const tar = await buildTar(specs);
  const results = async (pieces: Buffer[]) => {
    const parsed = await parseLayer(Readable.from(pieces, { objectMode: false }), {
      inspectContent: createContentInspector(),
    });
    return entryList(parsed).map((e) => (e.kind === 'entry' ? [e.path, e.attrs.size, e.content] : [e.kind]));
  };
  const want = await results([Buffer.from(tar)]);
  const found = JSON.stringify(want);
  assert.ok(found.includes(token.slice(0, 8)) || found.includes('github'), 'the streamed file has its finding');
  for (const sizes of [() => 1 << 20, () => randomInt(1, 700), () => randomInt(500, 70_000)]) {
    const { pieces, returned } = lentPieces(tar, sizes);
    assert.deepEqual(await results(pieces), want);
    assertEachBackOnce(pieces, returned);
  }
});
