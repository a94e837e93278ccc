import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTarget } from '../../src/audit/registry-audit.js';

test('registry audit targets: scheme, host, port; junk refused', () => {
  assert.deepEqual(parseTarget('https://registry.example.org'), {
    scheme: 'https',
    hostname: 'registry.example.org',
    port: undefined,
    host: 'registry.example.org',
  });
  assert.deepEqual(parseTarget('http://127.0.0.1:5000/v2/'), {
    scheme: 'http',
    hostname: '127.0.0.1',
    port: 5000,
    host: '127.0.0.1:5000',
  });
  assert.deepEqual(parseTarget('registry.example.org:8443'), {
    scheme: undefined,
    hostname: 'registry.example.org',
    port: 8443,
    host: 'registry.example.org:8443',
  });
  assert.deepEqual(parseTarget('[::1]:5000'), { scheme: undefined, hostname: '::1', port: 5000, host: '[::1]:5000' });
  assert.throws(() => parseTarget('ftp://x.example.org'), /invalid registry URL/);
  assert.throws(() => parseTarget('x.example.org:99999'), /invalid port/);
  assert.throws(() => parseTarget('not a url'), /invalid registry URL/);
});
