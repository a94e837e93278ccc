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
