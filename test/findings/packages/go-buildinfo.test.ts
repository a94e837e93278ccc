/**
 * Go build info read from a real binary however the layer stream cuts it (the magic may straddle
 * chunks), and non-Go ELF files left alone after their program headers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PackageFileCollector } from '../../../src/findings/packages/collector.js';
import { GO_BUILDINFO_MAGIC, isGoElf, parseGoBuildInfo } from '../../../src/findings/packages/go-buildinfo.js';
import { goBinary, hasGo } from '../../support/package-files.js';

test('Go build info through the collector at every chunking', { skip: !hasGo() && 'no Go toolchain' }, () => {
  const { binary, goVersion } = goBinary();
  const at = binary.indexOf(GO_BUILDINFO_MAGIC);
  assert.ok(at > 0);
  const direct = parseGoBuildInfo(binary.subarray(at));
  assert.equal(direct?.goVersion, goVersion);
  for (const size of [4093, 65536, 1 << 20, at + 5, binary.length]) {
    const c = new PackageFileCollector('elf', 'hello');
    for (let i = 0; i < binary.length; i += size) c.write(binary.subarray(i, i + size));
    const got = c.end();
    assert.deepEqual(got?.found, direct?.packages, `chunks of ${size}`);
  }
});

test('an ELF file without Go build-id note is not searched', () => {
  const sh = readFileSync('/bin/sh');
  assert.equal(isGoElf(sh), false);
  const c = new PackageFileCollector('elf', 'sh');
  c.write(sh);
  assert.equal(c.end(), undefined);
  // Hostile: an ELF header whose program headers point past the bytes there are.
  const bad = Buffer.alloc(4096);
  bad.writeUInt32BE(0x7f454c46, 0);
  bad[4] = 2;
  bad[5] = 1;
  bad.writeBigUInt64LE(0xffffffffn, 32);
  bad.writeUInt16LE(56, 54);
  bad.writeUInt16LE(65535, 56);
  assert.equal(isGoElf(bad), false);
  // Truncated build info: no crash, nothing found.
  assert.equal(
    parseGoBuildInfo(Buffer.concat([GO_BUILDINFO_MAGIC, Buffer.from([8, 2]), Buffer.alloc(16), Buffer.from([0xff])])),
    undefined,
  );
});
