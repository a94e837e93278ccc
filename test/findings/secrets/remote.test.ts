/**
 * The secret scan on its worker thread (secrets/remote.ts) finds what the main thread finds: the
 * same matches on every file (small files in the thread's batch, large and streamed ones with
 * scanners of their own, files read in part, package files whose collector stays on the main
 * thread), the same counts; a thread that falls behind leaves small files to the main thread;
 * and a thread that stops while files are in flight fails the load with one line, after which
 * loads scan on the main thread. Real layer tars (tar-stream), gzip-compressed where files must
 * arrive in pieces.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageModel } from '../../../src/engine/image.js';
import type { FileTree, TreeNode } from '../../../src/engine/tree.js';
import { createContentInspector, runChecks } from '../../../src/findings/index.js';
import {
  BLOCKS_AHEAD,
  SecretRemote,
  secretRemoteStats,
  secretWorkerReady,
  stopSecretWorkerForTest,
} from '../../../src/findings/secrets/remote.js';
import { newSecretStats } from '../../../src/findings/secrets/stats.js';
import { memoryReader } from '../../../src/sources/memory.js';
import { alnum, base32, b64, githubToken, hex, npmToken } from '../../support/fake-secrets.js';
import { memoryImage } from '../../support/image.js';
import { CASES } from '../../support/secret-cases.js';

const ghToken = () => githubToken();
const awsPair = () => `aws_access_key_id = AKIA${base32(16)}\naws_secret_access_key = ${b64(40)}\n`;
/** Lines of ordinary text, `n` bytes or a little more. */
function filler(n: number, seed: string): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < n; i++) {
    const line = `const value_${seed}_${i} = compute(${i}, "${hex(12)}"); // step ${i}\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('');
}

async function images() {
  const entries: Array<{ name: string; content: string | Buffer }> = [];
  CASES.forEach((c, i) => {
    const name = c.path ? c.path.replace(/^\/([^/]+)/, `case${i}`).slice(0) : `app/case${i}/${c.id}.conf`;
    entries.push({ name: name.replace(/^\//, ''), content: c.tp() });
    entries.push({ name: `app/fp${i}/${(c.fpPath ?? c.path ?? '/x.conf').split('/').pop()}`, content: c.fp() });
  });
  // Large files: a secret in the middle and at the end (scanned in windows, streamed in pieces
  // from a gzip layer); one past the scan limit, whose second secret lies beyond it.
  const streamed = [
    { name: 'srv/big/middle.js', content: filler(300_000, 'a') + `token = "${ghToken()}"\n` + filler(300_000, 'b') },
    { name: 'srv/big/end.py', content: filler(700_000, 'c') + awsPair() },
    { name: 'srv/big/limit.txt', content: `key: ${ghToken()}\n` + filler(1_050_000, 'd') + `key: ${ghToken()}\n` },
    // A package file: its collector stays on the main thread, its scan goes to the thread.
    {
      name: 'usr/lib/node_modules/app/package.json',
      content: JSON.stringify({ name: 'app', version: '1.2.3', config: { npmToken: npmToken() } }),
    },
    // Names are data: a newline, a quote and non-ASCII characters reach the thread unchanged.
    { name: 'srv/na\nme "ü" 🔑.env', content: `GITHUB_TOKEN=${ghToken()}\n` },
    {
      name: 'srv/bin/tool',
      content: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]), Buffer.from(ghToken())]),
    },
  ];
  return memoryImage([{ entries }, { entries: streamed, compress: 'gzip' }]);
}

interface Load {
  tree: FileTree;
  json: string;
  stats: unknown;
}

async function load(image: Awaited<ReturnType<typeof images>>, remote: boolean): Promise<Load> {
  const { meta, blobs } = image;
  const model = new ImageModel();
  const inspector = createContentInspector({ remote, remoteAfter: 0, maxBytesPerFile: 1_000_000 });
  await model.load(memoryReader(meta, blobs), { inspectContent: inspector });
  const findings = runChecks(model, { reference: 'memory', now: new Date('2026-12-01T00:00:00Z') });
  return { tree: model.tree, json: JSON.stringify(findings), stats: inspector.secretStats };
}

/** Every version's content result, by path and layer. */
function contents(tree: FileTree): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (node: TreeNode) => {
    for (const c of node.children?.values() ?? []) {
      for (const v of c.versions) if (v.content !== undefined) out.set(`${c.path}@${v.layer}`, v.content);
      walk(c);
    }
  };
  walk(tree.root);
  return out;
}

test('the thread finds what the main thread finds: every file, every count', async () => {
  assert.equal(await secretWorkerReady(), true);
  const before = secretRemoteStats.files;
  // (One image, its fake secrets drawn once, loaded twice.)
  const image = await images();
  const far = await load(image, true);
  const sent = secretRemoteStats.files - before;
  const here = await load(image, false);
  assert.equal(secretRemoteStats.files - before, sent, 'remote: false sends nothing');
  // Nearly every text file went to the thread (the first few may be scanned before it is used).
  assert.ok(sent > CASES.length, `files sent: ${sent}`);
  const a = contents(far.tree);
  const b = contents(here.tree);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, v] of b) assert.deepEqual(a.get(k), v, k);
  assert.deepEqual(far.stats, here.stats);
  assert.equal(far.json, here.json);
  // What the comparison stands on: the large files' secrets were found, and the limit held.
  const found = JSON.parse(far.json) as Array<{ path?: string; category: string; ruleId: string }>;
  const at = (p: string) => found.filter((f) => f.category === 'secret' && f.path === p).length;
  assert.ok(at('/srv/big/middle.js') >= 1);
  assert.ok(at('/srv/big/end.py') >= 1);
  assert.equal(at('/srv/big/limit.txt'), 1, 'the secret past the scan limit is not read');
  assert.equal(at('/srv/na\nme "ü" 🔑.env'), 1);
  assert.ok(at('/usr/lib/node_modules/app/package.json') >= 1);
  const pkg = a.get('/usr/lib/node_modules/app/package.json@1') as { packages?: unknown; secrets?: unknown[] };
  assert.ok(pkg.packages && pkg.secrets?.length, 'the collector and the thread both kept their result');
  assert.equal((a.get('/srv/big/limit.txt@1') as { truncated?: boolean }).truncated, true);
});

test('a thread that is behind leaves small files to the main thread; it takes them again once it caught up', async () => {
  assert.equal(await secretWorkerReady(), true);
  const stats = newSecretStats();
  const remote = SecretRemote.start({ maxBytes: 2_000_000 }, stats, true)!;
  assert.ok(remote.usable);
  // Files of ~200 KB, each with a secret: sent one after another without a turn of the event
  // loop, so no block comes back meanwhile.
  const files: Array<{ content?: unknown }> = [];
  let refused = 0;
  for (let i = 0; i < 8 * BLOCKS_AHEAD && refused === 0; i++) {
    const text = Buffer.from(filler(200_000, `f${i}`) + `token: ${ghToken()}\n`);
    const later: { content?: unknown } = {};
    if (remote.whole(`app/f${i}.yml`, true, text, 0, text.length, later)) files.push(later);
    else refused++;
  }
  assert.equal(refused, 1);
  // A file that would stream is not opened there either (its bytes would take blocks past the limit).
  assert.equal(remote.open('app/streamed.js'), undefined);
  // About five files a block, BLOCKS_AHEAD blocks sent and one being filled.
  assert.ok(files.length >= 5 * BLOCKS_AHEAD && files.length <= 5 * (BLOCKS_AHEAD + 1), `${files.length}`);
  assert.equal(remote.held, files.length);
  await remote.flush();
  assert.equal(remote.held, 0);
  for (const f of files) assert.equal((f.content as { secrets?: unknown[] }).secrets?.length, 1);
  assert.equal(stats.files, files.length);
  const text = Buffer.from(`token: ${ghToken()}\n`);
  const later: { content?: unknown } = {};
  assert.equal(remote.whole('app/again.yml', true, text, 0, text.length, later), true);
  await remote.flush();
  assert.equal((later.content as { secrets?: unknown[] }).secrets?.length, 1);
});

test('a file still streaming when another layer flushes gets its result at the next flush', async () => {
  assert.equal(await secretWorkerReady(), true);
  const remote = SecretRemote.start({ maxBytes: 2_000_000 }, newSecretStats(), true)!;
  // Layer B's file opens and streams; layer A's small file is sent and A flushes meanwhile.
  const id = remote.open('srv/b/streamed.js')!;
  remote.write(id, Buffer.from(filler(100_000, 'b')));
  const small = Buffer.from(`token: ${ghToken()}\n`);
  const a: { content?: unknown } = {};
  assert.equal(remote.whole('srv/a/small.yml', true, small, 0, small.length, a), true);
  const flushA = remote.flush();
  // B's file ends before A's flush is answered: its result comes with B's flush.
  remote.write(id, Buffer.from(`password = "${alnum(12)}7q${alnum(12)}"\napi_token = ${ghToken()}\n`));
  const b: { content?: unknown } = {};
  remote.end(id, b);
  await flushA;
  assert.equal((a.content as { secrets?: unknown[] }).secrets?.length, 1);
  assert.ok(remote.held > 0);
  await remote.flush();
  assert.ok((b.content as { secrets?: unknown[] } | undefined)?.secrets?.length, 'the streamed file kept its result');
  assert.equal(remote.held, 0, 'every entry forgotten once its flush is answered');
});

test('a thread that stops with files in flight fails the load with one line; later loads scan on the main thread', async () => {
  assert.equal(await secretWorkerReady(), true);
  const entries = Array.from({ length: 3000 }, (_, i) => ({ name: `app/f${i}.txt`, content: filler(2000, `s${i}`) }));
  entries.push({ name: 'app/key.env', content: `GITHUB_TOKEN=${ghToken()}\n` });
  const { meta, blobs } = await memoryImage([{ entries }, { entries: [{ name: 'etc/x', content: 'x\n' }] }]);
  const inspector = createContentInspector({ remote: true, remoteAfter: 0 });
  let calls = 0;
  let stopped: Promise<unknown> | undefined;
  const stopping = Object.assign(
    (...args: Parameters<typeof inspector>) => {
      if (++calls === 100) stopped = stopSecretWorkerForTest();
      return inspector(...args);
    },
    { flush: inspector.flush },
  );
  const failed = await new ImageModel().load(memoryReader(meta, blobs), { inspectContent: stopping }).then(
    () => undefined,
    (e: Error) => e,
  );
  await stopped;
  assert.ok(failed, 'the load failed');
  assert.match(failed.message, /secret scan could not finish: its worker thread stopped/);
  assert.equal(failed.message.split('\n').length, 1);
  // The next load does not use the thread (it is gone) and finds the secret on the main thread.
  const sent = secretRemoteStats.files;
  const model = new ImageModel();
  await model.load(memoryReader(meta, blobs), {
    inspectContent: createContentInspector({ remote: true, remoteAfter: 0 }),
  });
  assert.equal(secretRemoteStats.files, sent);
  const secrets = runChecks(model, { reference: 'memory' }).filter((f) => f.category === 'secret');
  assert.deepEqual(
    secrets.map((f) => f.path),
    ['/app/key.env'],
  );
});
