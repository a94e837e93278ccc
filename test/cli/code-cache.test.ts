/**
 * The built CLI's V8 code cache (src/cli/code-cache.ts): used only with the source it was made
 * from, rejected when V8 cannot take it, and in every case the script runs as its source says.
 * And the build's own cache is taken by the built command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import vm from 'node:vm';
import { APP_FILE, CACHE_FILE, cacheBytes, compileApp, WRAPPER_HEAD, WRAPPER_TAIL } from '../../src/cli/code-cache.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'layerlens-code-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An app whose run leaves `answer` on globalThis.__ccTest, with functions that run (and so are cached). */
function writeApp(answer: string): void {
  const body = `
    function pick(xs) { let best = ''; for (const x of xs) if (x.length >= best.length) best = x; return best; }
    globalThis.__ccTest = { answer: pick(['a', ${JSON.stringify(answer)}]), url: __layerlensUrl, file: __filename };`;
  writeFileSync(path.join(dir, APP_FILE), WRAPPER_HEAD + body + WRAPPER_TAIL);
}

const ran = () => (globalThis as { __ccTest?: { answer: string; url: string; file: string } }).__ccTest;
const resolve = (s: string) => s;

test('a cache made from the source is taken, and the script runs with what a module has', () => {
  writeApp('first-answer');
  const fresh = compileApp(dir, true, 'file:///somewhere/main.js', resolve);
  assert.equal(fresh.cacheAccepted, undefined, 'no cache yet');
  fresh.run();
  assert.deepEqual(ran(), {
    answer: 'first-answer',
    url: 'file:///somewhere/main.js',
    file: path.join(dir, APP_FILE),
  });
  writeFileSync(path.join(dir, CACHE_FILE), cacheBytes(fresh));

  const cached = compileApp(dir, true, 'file:///somewhere/main.js', resolve);
  assert.equal(cached.cacheAccepted, true);
  cached.run();
  assert.equal(ran()?.answer, 'first-answer');
  assert.equal(compileApp(dir, false, '', resolve).cacheAccepted, undefined, 'the off switch: no cache given');
});

test('a source of the same length is not given the old cache: V8 alone would run the old code', () => {
  writeApp('first-answer');
  const made = compileApp(dir, false, '', resolve);
  made.run();
  writeFileSync(path.join(dir, CACHE_FILE), cacheBytes(made));

  writeApp('other-answer'); // the same length
  const source = readFileSync(path.join(dir, APP_FILE), 'latin1');
  // What the digest guards against: V8 checks the source's length, not its bytes.
  const v8Alone = new vm.Script(source, { cachedData: readFileSync(path.join(dir, CACHE_FILE)).subarray(64) });
  assert.equal(v8Alone.cachedDataRejected, false);
  (v8Alone.runInThisContext() as (...a: unknown[]) => void)({}, undefined, {}, '', '', '', resolve);
  assert.equal(ran()?.answer, 'first-answer', 'V8 ran the bytecode of the old source');

  const app = compileApp(dir, true, '', resolve);
  assert.equal(app.cacheAccepted, undefined, 'the cache names another source');
  app.run();
  assert.equal(ran()?.answer, 'other-answer');
});

test('a damaged cache is not given to V8 (it checks no payload): the script compiles from its source', () => {
  writeApp('first-answer');
  const made = compileApp(dir, false, '', resolve);
  made.run();
  const bytes = cacheBytes(made);
  // The source's digest kept, V8's data damaged.
  for (let i = 64 + 16; i < bytes.length; i += 7) bytes[i] ^= 0x5a;
  writeFileSync(path.join(dir, CACHE_FILE), bytes);
  const app = compileApp(dir, true, '', resolve);
  assert.equal(app.cacheAccepted, undefined);
  app.run();
  assert.equal(ran()?.answer, 'first-answer');
  // Too short to hold its digests.
  writeFileSync(path.join(dir, CACHE_FILE), bytes.subarray(0, 40));
  assert.equal(compileApp(dir, true, '', resolve).cacheAccepted, undefined);
});

test('a cache made under other V8 flags is rejected by V8, and the script still runs', { timeout: 60_000 }, () => {
  writeApp('first-answer');
  const made = compileApp(dir, false, '', resolve);
  made.run();
  writeFileSync(path.join(dir, CACHE_FILE), cacheBytes(made));
  const probe = `import { compileApp } from ${JSON.stringify(path.join(root, 'src/cli/code-cache.ts'))};
    const app = compileApp(${JSON.stringify(dir)}, true, '', (s) => s);
    app.run();
    console.log(JSON.stringify([app.cacheAccepted, globalThis.__ccTest.answer]));`;
  const child = (flags: string[]) =>
    spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', probe], {
      encoding: 'utf8',
      cwd: root,
    });
  // (This test process runs with no V8 flags of its own, as a child with none does.)
  const same = child([]);
  assert.equal(same.stdout.trim(), '[true,"first-answer"]', same.stderr);
  const other = child(['--interrupt-budget=1000']);
  assert.equal(other.stdout.trim(), '[false,"first-answer"]', other.stderr);
});

test('the built command has its code cache, and V8 takes it', { timeout: 120_000 }, (t) => {
  const cli = path.join(root, 'dist', 'cli');
  if (!existsSync(path.join(cli, CACHE_FILE))) return t.skip('not built (npm run build)');
  const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'train-code-cache.mjs'), '--check'], {
    encoding: 'utf8',
  });
  assert.equal(check.stdout.trim(), '{"accepted":true}', check.stderr);
  // And the command runs with it as without it.
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [path.join(cli, 'main.cjs'), 'scan', '--demo', '--format', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  const withCache = run({});
  const without = run({ LAYERLENS_NO_CODE_CACHE: '1' });
  assert.equal(withCache.status, 0, withCache.stderr);
  assert.equal(without.status, 0, without.stderr);
  const rules = (out: string) => (JSON.parse(out).findings as { ruleId: string }[]).map((f) => f.ruleId).sort();
  assert.deepEqual(rules(withCache.stdout), rules(without.stdout));
  assert.ok(rules(withCache.stdout).includes('secret-private-key'));
});

test('a broken installation (the script missing) is one plain line and status 2', { timeout: 60_000 }, (t) => {
  const built = path.join(root, 'dist', 'cli');
  if (!existsSync(path.join(built, CACHE_FILE))) return t.skip('not built (npm run build)');
  const alone = mkdtempSync(path.join(os.tmpdir(), 'layerlens-launch-'));
  try {
    // The command, and main.js that runs it, without the script beside them.
    for (const f of ['main.cjs', 'main.js']) copyFileSync(path.join(built, f), path.join(alone, f));
    for (const f of ['main.cjs', 'main.js']) {
      const r = spawnSync(process.execPath, [path.join(alone, f), '--version'], { encoding: 'utf8' });
      assert.equal(r.status, 2, f);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `layerlens: cannot start: ${path.join(alone, APP_FILE)}: no such file or directory (reinstall layerlens)\n`,
      );
    }
  } finally {
    rmSync(alone, { recursive: true, force: true });
  }
});
