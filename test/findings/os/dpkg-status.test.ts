/** dpkg's status file read as dpkg reads it (src/findings/os/packages.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDpkgStatus } from '../../../src/findings/os/packages.js';

test('field names in any case; only installed packages; the source package and its version', () => {
  const text = [
    'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\nSource: glibc (2.36-9+x)',
    'package: openssl\nstatus: install ok installed\nversion: 3.0.11-1\nsource: openssl',
    'PACKAGE: zlib1g\nVERSION: 1:1.2.13\nSTATUS: hold ok installed',
    'Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0',
    'Package: noversion\nStatus: install ok installed',
  ].join('\n\n');
  assert.deepEqual(
    parseDpkgStatus(text).map((p) => `${p.name} ${p.version} ${p.source ?? '-'} ${p.sourceVersion ?? '-'}`),
    ['libc6 2.36-9 glibc 2.36-9+x', 'openssl 3.0.11-1 - -', 'zlib1g 1:1.2.13 - -'],
  );
});

test("dpkg's package states: a package whose files are on disk counts, whatever its state; not-installed and config-files do not", () => {
  const states = [
    'installed',
    'unpacked',
    'half-configured',
    'half-installed',
    'triggers-awaited',
    'triggers-pending',
    'not-installed',
    'config-files',
  ];
  const text = states.map((s, i) => `Package: p${i}\nStatus: install ok ${s}\nVersion: 1.${i}`).join('\n\n');
  assert.deepEqual(
    parseDpkgStatus(text).map((p) => p.name),
    ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'],
  );
  // The state is the third word, whatever the first two say ("purge ok not-installed" is not
  // "…installed"; "hold ok installed" is).
  const words = ['purge ok not-installed', 'hold ok installed', 'deinstall reinstreq half-installed', 'install ok'];
  assert.deepEqual(
    parseDpkgStatus(words.map((s, i) => `Package: q${i}\nStatus: ${s}\nVersion: 1`).join('\n\n')).map((p) => p.name),
    ['q1', 'q2'],
  );
});
