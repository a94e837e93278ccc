/**
 * What the checks keep of a file: strings of their own, not views of the file's text. (A cut of
 * 13 characters or more is a view in V8: each secret finding of a tree of packages kept its
 * 64 KiB window of text alive, ~110 MB of the precision image's peak, and a dpkg status file's
 * packages its whole text.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OsFileCollector } from '../../src/findings/os/collector.js';
import { PackageFileCollector } from '../../src/findings/packages/collector.js';
import * as f from '../support/fake-secrets.js';
import { scanFile } from '../support/scan-file.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterCollection(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * What the results of `files` calls of `collect` hold after a collection. One call first, not
 * counted: the code compiled on first use stays in the heap too (~0.3 MB).
 */
function heldBy(files: number, collect: (i: number) => unknown): { grown: number; kept: unknown[] } {
  collect(files);
  const kept: unknown[] = [];
  const before = heapAfterCollection();
  for (let i = 0; i < files; i++) kept.push(collect(i));
  return { grown: heapAfterCollection() - before, kept };
}

test("a file's findings hold none of the text they were found in", () => {
  // Files of one window each (~60 KB of lines), the secrets at their end: a token under a key
  // name (evidence and key), a generic assignment, and a bundle's module (a reason naming it).
  const filler = `${'const x = 1; '.repeat(5)}\n`.repeat(900);
  const files = 120;
  const { grown, kept } = heldBy(files, (i) => {
    const text =
      `${filler}// node_modules/some-lib-${i}/index.js\n` +
      `GITHUB_TOKEN=${f.githubToken()}\npayments_api_key = "${f.alnum(32)}"\n`;
    const ms = scanFile(`/srv/app/dist/bundle-${i}.js`, text);
    assert.ok(
      ms.some((m) => m.ruleId === 'secret-github-pat'),
      `file ${i}: the token is found`,
    );
    assert.ok(
      ms.some((m) => m.key === 'payments_api_key' && m.reason?.includes(`some-lib-${i}/index.js`)),
      `file ${i}: the key name and the bundled module are kept`,
    );
    return ms;
  });
  const window = filler.length;
  // Views would keep every window: files × ~60 KB (7 MB). Own strings: ~3 KB a file, with what
  // the test itself keeps.
  assert.ok(
    grown < (files * window) / 4,
    `the findings of ${files} files hold ${(grown / 1e6).toFixed(1)} MB (windows of ${window} bytes)`,
  );
  assert.equal(kept.length, files);
});

test("the packages parsed from a dpkg status file or a package's METADATA hold none of its text", () => {
  // (Few packages with long descriptions: what the packages themselves hold is small beside the text.)
  const description = ` ${'a package that is described at length, line after line '.repeat(2)}\n`.repeat(120);
  const status = (i: number) =>
    Array.from(
      { length: 4 },
      (_, k) =>
        `Package: libexample-component-${i}-${k}\nStatus: install ok installed\nArchitecture: amd64\n` +
        `Version: 1:2.36.${k}-8+deb12u${i}~bpo11+1\nSource: example-source-package-${i} (2.36.${k}-8)\n` +
        `Description: an example\n${description}`,
    ).join('\n');
  const files = 100;
  const size = Buffer.byteLength(status(0));
  const dpkg = heldBy(files, (i) => {
    const c = new OsFileCollector('dpkg');
    c.write(Buffer.from(status(i)));
    const data = c.end();
    assert.equal(data?.kind, 'packages');
    assert.equal(data.packages.length, 4);
    assert.equal(data.packages[3].version, `1:2.36.3-8+deb12u${i}~bpo11+1`);
    return data;
  });
  assert.ok(dpkg.grown < (files * size) / 4, `dpkg: ${files} files' packages hold ${(dpkg.grown / 1e6).toFixed(1)} MB`);

  const metadata = (i: number) =>
    `Metadata-Version: 2.1\nName: example-distribution-${i}\nVersion: 2024.10.${i}.post1234567\n\n` +
    description.repeat(4);
  const py = heldBy(files, (i) => {
    const c = new PackageFileCollector('python-metadata', 'METADATA');
    c.write(Buffer.from(metadata(i)));
    const data = c.end();
    assert.equal(data?.found[0]?.name, `example-distribution-${i}`);
    return data;
  });
  const pySize = Buffer.byteLength(metadata(0));
  assert.ok(
    py.grown < (files * pySize) / 4,
    `METADATA: ${files} files' packages hold ${(py.grown / 1e6).toFixed(1)} MB`,
  );
});
