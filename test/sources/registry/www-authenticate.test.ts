import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findChallenge, parseWwwAuthenticate } from '../../../src/sources/registry/www-authenticate.js';

test('Bearer challenge with quoted commas in scope', () => {
  const [c] = parseWwwAuthenticate(
    'Bearer realm="https://auth.example.org/token",service="registry.example.org",scope="repository:library/nginx:pull,push"',
  );
  assert.equal(c.scheme, 'bearer');
  assert.deepEqual(c.params, {
    realm: 'https://auth.example.org/token',
    service: 'registry.example.org',
    scope: 'repository:library/nginx:pull,push',
  });
});

test('several challenges in one header, spaces around "=" and commas', () => {
  const cs = parseWwwAuthenticate(
    'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm = "simple" , Bearer realm="https://t.example.org/x", error="insufficient_scope"',
  );
  assert.deepEqual(
    cs.map((c) => c.scheme),
    ['newauth', 'basic', 'bearer'],
  );
  assert.deepEqual(cs[0].params, { realm: 'apps', type: '1', title: 'Login to "apps"' });
  assert.deepEqual(cs[1].params, { realm: 'simple' });
  assert.equal(cs[2].params.error, 'insufficient_scope');
  assert.equal(findChallenge(cs, 'Basic')?.params.realm, 'simple');
});

test('repeated headers as an array and names case-insensitive', () => {
  const cs = parseWwwAuthenticate(['BASIC Realm="r1"', 'bearer REALM="https://x.example.org/t",Service="s"']);
  assert.equal(cs.length, 2);
  assert.equal(cs[0].scheme, 'basic');
  assert.equal(cs[0].params.realm, 'r1');
  assert.equal(cs[1].params.service, 's');
});

test('token68 and bare schemes', () => {
  const cs = parseWwwAuthenticate('Negotiate, Custom abc123+/==, Basic realm=simple');
  assert.equal(cs.length, 3);
  assert.equal(cs[0].scheme, 'negotiate');
  assert.equal(cs[1].token68, 'abc123+/==');
  assert.deepEqual(cs[1].params, {});
  assert.equal(cs[2].params.realm, 'simple');
});

test('unquoted realm URLs and a scope with several repositories', () => {
  const [c] = parseWwwAuthenticate(
    'Bearer realm=https://auth.example.org/token,service=reg,scope="repository:a/b:pull repository:c:pull,push"',
  );
  assert.equal(c.params.realm, 'https://auth.example.org/token');
  assert.equal(c.params.service, 'reg');
  assert.equal(c.params.scope, 'repository:a/b:pull repository:c:pull,push');
});

test('garbage does not hang and yields what it can', () => {
  assert.deepEqual(parseWwwAuthenticate(''), []);
  assert.deepEqual(parseWwwAuthenticate(undefined), []);
  const cs = parseWwwAuthenticate('Bearer realm="unterminated');
  assert.equal(cs[0].params.realm, 'unterminated');
  const odd = parseWwwAuthenticate('=== ,,, "x" Basic realm="r"');
  assert.equal(findChallenge(odd, 'basic')?.params.realm, 'r');
});
