#!/usr/bin/env node
// Portable test launcher: Node 20's `node --test` does not expand glob patterns
// (that arrived in Node 21), so 'test/**/*.test.ts' is taken literally there.
// This finds test/**/*.test.ts and test/**/*.test.tsx itself and runs
//   node --import tsx --test --test-concurrency=1 <files...> <extra args...>
// Usage: node scripts/run-tests.mjs [--test-name-pattern=...] [more node --test flags]
import { readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = readdirSync(join(root, 'test'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && /\.test\.tsx?$/.test(e.name))
  .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
  .filter((f) => !f.split('/').includes('node_modules'))
  .sort();

if (files.length === 0) {
  console.error('run-tests: no test files under test/');
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...files, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
