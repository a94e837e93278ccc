/**
 * Package files are input: what an image's files say about its packages is read in bounded time,
 * whatever the bytes. Each case is a real image (OCI layout, real tars) scanned by the CLI.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { zipOf } from '../../support/package-files.js';
import { scanFindings, scanPurls } from '../../support/scan-entries.js';

/**
 * An ELF file's head with one PT_NOTE segment holding `note` (the program headers are all a Go
 * binary is told by: go-buildinfo.ts), padded past the size below which no Go binary exists.
 */
function elfWithNote(note: Buffer): Buffer {
  const f = Buffer.alloc(300 * 1024);
  f.writeUInt32BE(0x7f454c46, 0);
  f[4] = 2; // 64-bit
  f[5] = 1; // little-endian
  f.writeBigUInt64LE(64n, 32); // e_phoff
  f.writeUInt16LE(56, 54); // e_phentsize
  f.writeUInt16LE(1, 56); // e_phnum
  f.writeUInt32LE(4, 64); // PT_NOTE
  f.writeBigUInt64LE(256n, 72); // p_offset
  f.writeBigUInt64LE(BigInt(note.length), 96); // p_filesz
  note.copy(f, 256);
  return f;
}

test('an ELF note whose name size wraps 32-bit arithmetic ends the note walk (it looped forever)', async () => {
  // namesz 0xfffffff0 rounded up to 4 in int32 arithmetic was -16: with a 1-byte descriptor the
  // walk stepped 12 - 16 + 4 = 0 bytes, for ever.
  const note = Buffer.alloc(64);
  note.writeUInt32LE(0xfffffff0, 0);
  note.writeUInt32LE(1, 4);
  note.writeUInt32LE(1, 8);
  const findings = await scanFindings([{ name: 'usr/bin/tool', content: elfWithNote(note), mode: 0o755 }]);
  assert.ok(findings.length > 0);
});

/** Time a scan of these small images may take: seconds of start-up, not minutes of backtracking. */
const QUICK_MS = 20_000;

test('a pom.properties line of spaces is read in linear time (the line regex backtracked quadratically)', async () => {
  // 600 KB of spaces in a line with no separator, and in a value: each cost minutes.
  const pom = `#x\nk${' '.repeat(300_000)}x\ngroupId=org.example\nartifactId=lib\nversion=1.2.3\nname=a${' '.repeat(300_000)}b\n`;
  const jar = zipOf({
    'META-INF/maven/org.example/lib/pom.properties': pom,
    'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
  });
  const { ms, purls: got } = await scanPurls([{ name: 'app/lib.jar', content: jar }]);
  assert.ok(got.includes('pkg:maven/org.example/lib@1.2.3'), got.join());
  assert.ok(ms < QUICK_MS, `${Math.round(ms)} ms`);
});

test('a METADATA header of spaces is read in linear time (the header regex backtracked quadratically)', async () => {
  const meta = `Name: tool${' '.repeat(60_000)}x\nVersion: 1.0\n\nbody\n`;
  const entries = Array.from({ length: 8 }, (_, i) => ({
    name: `usr/lib/python3/site-packages/tool${i}-1.0.dist-info/METADATA`,
    content: meta,
  }));
  entries.push({
    name: 'usr/lib/python3/site-packages/ok-2.0.dist-info/METADATA',
    content: 'Name: ok\nVersion: 2.0\n',
  });
  const { ms, purls: got } = await scanPurls(entries);
  assert.ok(got.includes('pkg:pypi/ok@2.0'), got.join());
  assert.ok(ms < QUICK_MS, `${Math.round(ms)} ms`);
});

// Lists as long as an image makes them: spread into a call (`push(...list)`, `Math.max(...list)`)
// each element is an argument on the stack, and past ~120,000 of them V8 throws "Maximum call
// stack size exceeded" (the scan ended with that line).

test('a dpkg database of 200,000 packages is inventoried (the list was spread into push)', async () => {
  let status = '';
  for (let i = 0; i < 200_000; i++) status += `Package: p${i}\nStatus: install ok installed\nVersion: 1.${i}\n\n`;
  const findings = await scanFindings([
    { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
    { name: 'var/lib/dpkg/status', content: status },
  ]);
  const os = findings.find((f) => f.ruleId.startsWith('os-'));
  assert.match(os?.message ?? '', /200000 dpkg packages/);
});

test('a package in 160,000 nested jars, all removed, is inventoried (its runs were spread into Math.max)', async () => {
  const jar = nestedJars(160_000);
  const findings = await scanFindings([
    { entries: [{ name: 'app/app.jar', content: jar }], createdBy: 'COPY app.jar /app/' },
    { entries: [{ name: 'app/.wh.app.jar', content: '' }], createdBy: 'RUN rm /app/app.jar' },
  ]);
  assert.ok(findings.some((f) => f.ruleId === 'deleted-file'));
});

/** A jar of `n` jars (lib/xN.jar), each with the same pom.properties: written by Python's zipfile. */
function nestedJars(n: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'll-jars-'));
  try {
    const script = [
      'import io, sys, zipfile',
      'inner = io.BytesIO()',
      'with zipfile.ZipFile(inner, "w") as z:',
      '    z.writestr("META-INF/maven/org.example/x/pom.properties", "groupId=org.example\\nartifactId=x\\nversion=1.0\\n")',
      'data = inner.getvalue()',
      'with zipfile.ZipFile(sys.argv[1], "w") as z:',
      '    for i in range(int(sys.argv[2])):',
      '        z.writestr("lib/x%d.jar" % i, data)',
    ].join('\n');
    execFileSync('python3', ['-c', script, join(dir, 'app.jar'), String(n)]);
    return readFileSync(join(dir, 'app.jar'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a jar whose entries share bytes (a zip bomb) is refused before anything is inflated', async () => {
  // (As an OSV archive is: 300 entries of one deflated 1 MiB pom were each inflated in turn.)
  const { sharedBytesZip } = await import('../../support/bombs.js');
  const { parseJavaArchive } = await import('../../../src/findings/packages/java.js');
  const pom = Buffer.alloc(1 << 20, 0x20);
  pom.write('groupId=org.example\nartifactId=lib\nversion=1.2.3\n');
  const jar = sharedBytesZip(300, pom, (i) => `META-INF/maven/org.example/lib${i}/pom.properties`);
  const r = parseJavaArchive(jar, 'bomb.jar');
  assert.deepEqual(r.found, []);
  assert.match(r.note ?? '', /share bytes \(a zip bomb's layout\)/);
});
