#!/usr/bin/env node
// The layering rule, checked: imports in src/ only run downward, and no files import each other in a
// circle. Run by scripts/test-all.sh (so by CI); `node scripts/check-layers.mjs` prints every
// violation with the import that makes it and exits 1 when there is one.
//
// Layers, bottom up (a folder may import its own files and any folder of a LOWER rank; folders of
// the same rank are independent of each other):
//   0 errors                      the one user-facing error type
//   1 text                        escaping (names are data), byte formats, terminal widths
//   2 reference, versions         image references; version orders (their messages quote through text)
//   3 engine                      decoding, the layered file tree, the image model
//   4 sources, vulndb             ImageReaders, one folder per source (the demo is one, made in-process);
//                                 the OSV vulnerability database (download, index, lookups)
//   5 findings                    the checks: pure functions over the model
//   6 report                      documents made from findings
//   7 ui, audit                   the explorer; the registry audit
//   8 cli                         argument parsing and wiring
// src/types holds declaration files only (ambient types for untyped packages).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const RANK = {
  errors: 0,
  text: 1,
  reference: 2,
  versions: 2,
  engine: 3,
  sources: 4,
  vulndb: 4,
  findings: 5,
  report: 6,
  ui: 7,
  audit: 7,
  cli: 8,
};

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const files = readdirSync(src, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts'))
  .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
  .sort();

// import … from 'x' / export … from 'x' / import 'x' / import('x'), comments removed first.
const IMPORT =
  /(?:\bimport\s+(?:type\s+)?[^'";]*?\bfrom\s*|\bexport\s+(?:type\s+)?[^'";]*?\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
const stripComments = (s) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

const problems = [];
const graph = new Map();
for (const file of files) {
  const layer = file.split('/')[1];
  if (!(layer in RANK)) {
    problems.push(`${file}: the folder src/${layer} has no place in the layering (add it to scripts/check-layers.mjs)`);
    continue;
  }
  const text = stripComments(readFileSync(join(root, file), 'utf8'));
  const edges = new Set();
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1];
    if (!spec.startsWith('.')) continue; // packages and node: builtins
    const target = relative(root, resolve(dirname(join(root, file)), spec)).replace(/\.js$/, '');
    const targetFile = [`${target}.ts`, `${target}.tsx`, join(target, 'index.ts')].find((f) => files.includes(f));
    if (!targetFile) {
      if (!target.startsWith('src/types/'))
        problems.push(`${file}: imports ${spec}, which is not a source file under src/`);
      continue;
    }
    edges.add(targetFile);
    const to = targetFile.split('/')[1];
    if (to === layer) continue;
    if (!(to in RANK) || RANK[to] >= RANK[layer]) {
      const why = RANK[to] === RANK[layer] ? 'a folder of the same layer' : 'a higher layer';
      problems.push(`${file} (${layer}) imports ${targetFile} (${to}): ${why}`);
    }
  }
  graph.set(file, edges);
}

// Circles: strongly connected components of more than one file (Tarjan), or a file importing itself.
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function visit(v) {
  index.set(v, counter);
  low.set(v, counter++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || graph.get(v)?.has(v)) problems.push(`import circle: ${scc.sort().join(' <-> ')}`);
  }
}
for (const f of graph.keys()) if (!index.has(f)) visit(f);

if (problems.length) {
  console.error(`check-layers: ${problems.length} violation${problems.length > 1 ? 's' : ''} of the layering rule:`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`check-layers: ${files.length} files, every import runs downward, no circles`);
