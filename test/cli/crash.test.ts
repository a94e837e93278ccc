/**
 * The last resort (cli/main.ts): an error thrown where nothing catches it — a timer of the
 * explorer, a stream callback — ends as one plain line and status 2, written after the other exit
 * handlers (the explorer's puts the terminal back first), never as Node's stack trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { errorLine, errorMessage } from '../../src/cli/errors.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'layerlens-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * `layerlens scan -` waiting on a stdin that never ends, with a module loaded first that stands in
 * for the explorer's screen (an exit handler that says it restored it) and throws `throwing` from
 * a timer once the CLI is up.
 */
function crash(throwing: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stderr: string }> {
  const preload = path.join(dir, `preload-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    preload,
    `process.on('exit', () => process.stderr.write('RESTORED\\n'));\nsetTimeout(() => { ${throwing} }, 1500);\n`,
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', preload, MAIN, 'scan', '-'], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(guard);
      child.stdin.destroy();
      resolve({ status, stderr });
    });
  });
}

test('an uncaught error ends as one plain line after the terminal is put back, status 2', async () => {
  const r = await crash('throw new TypeError("Cannot read properties of undefined (reading \'x\')")');
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    'RESTORED\nlayerlens: internal error: this is a bug in layerlens, please report it (LAYERLENS_DEBUG=1 prints the details)\n',
  );
});

test('a rejection nobody handles too; LAYERLENS_DEBUG=1 adds the stack', async () => {
  const r = await crash("Promise.reject(new Error('lost'))", { LAYERLENS_DEBUG: '1' });
  assert.equal(r.status, 2);
  const lines = r.stderr.split('\n');
  assert.equal(lines[0], 'RESTORED');
  assert.match(lines[1], /^layerlens: internal error: this is a bug/);
  assert.match(lines[2], /^Error: lost/);
  assert.match(lines[3], /^\s+at /);
});

test('a stack overflow is said as input nested too deeply', async () => {
  const r = await crash('const f = (n) => f(n + 1) + 1; f(0);');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^RESTORED\nlayerlens: the image is nested too deeply to process .*\n$/);
  assert.doesNotMatch(r.stderr, /Maximum call stack|\bat /);
});

test("JavaScript's own limits met by a command are said plainly, not as the engine's message", async () => {
  // What building a 723 MB JSON document as one string threw (`layerlens diff` of two images of a
  // million paths each, before the report was written in pieces), and kin.
  let tooLong: unknown;
  try {
    'x'.repeat(2 ** 30);
  } catch (err) {
    tooLong = err;
  }
  assert.ok(tooLong instanceof RangeError, 'V8 refused the string');
  const said = errorMessage(tooLong);
  assert.doesNotMatch(said, /Invalid string length/);
  assert.match(said, /too large to hold in memory as one piece/);
  assert.match(errorMessage(new RangeError('Maximum call stack size exceeded')), /nested too deeply/);
  assert.match(errorMessage(new RangeError('The value of "offset" is out of range')), /^internal error/);
  assert.equal(errorLine(said).split('\n').length, 2, 'one line');
  // Other failures keep their own words.
  assert.equal(
    errorMessage(Object.assign(new Error('x'), { code: 'ENOENT', path: '/no/such' })),
    '/no/such: no such file or directory',
  );
});
