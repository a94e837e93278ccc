import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseReference,
  looksLikeReference,
  InvalidReferenceError,
  type ImageReference,
} from '../../src/reference/index.js';

const H64 = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const D256 = `sha256:${H64}`;
const D512 = `sha512:${H64}${H64}`;
const D384 = `sha384:${H64}${H64.slice(0, 32)}`;

type Expect = Partial<ImageReference> & { registry: string; repository: string };
const valid: Array<[string, Expect]> = [
  [
    'nginx',
    {
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: 'latest',
      canonical: 'docker.io/library/nginx:latest',
      familiar: 'nginx:latest',
      apiHost: 'registry-1.docker.io',
      tagImplied: true,
    },
  ],
  [
    'nginx:stable',
    {
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: 'stable',
      canonical: 'docker.io/library/nginx:stable',
      familiar: 'nginx:stable',
      tagImplied: false,
    },
  ],
  ['nginx:latest', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest', tagImplied: false }],
  [
    'user/app',
    {
      registry: 'docker.io',
      repository: 'user/app',
      tag: 'latest',
      canonical: 'docker.io/user/app:latest',
      familiar: 'user/app:latest',
      tagImplied: true,
    },
  ],
  ['user/app:1', { registry: 'docker.io', repository: 'user/app', tag: '1', familiar: 'user/app:1' }],
  ['docker.io/nginx', { registry: 'docker.io', repository: 'library/nginx', familiar: 'nginx:latest' }],
  [
    'docker.io/library/nginx:1.25',
    {
      registry: 'docker.io',
      repository: 'library/nginx',
      familiar: 'nginx:1.25',
      canonical: 'docker.io/library/nginx:1.25',
    },
  ],
  [
    'index.docker.io/library/debian',
    { registry: 'docker.io', repository: 'library/debian', familiar: 'debian:latest', apiHost: 'registry-1.docker.io' },
  ],
  ['index.docker.io/debian', { registry: 'docker.io', repository: 'library/debian' }],
  [
    'index.docker.io/docker/docker',
    { registry: 'docker.io', repository: 'docker/docker', familiar: 'docker/docker:latest' },
  ],
  ['library/foo/bar', { registry: 'docker.io', repository: 'library/foo/bar', familiar: 'library/foo/bar:latest' }],
  ['store/foo/bar', { registry: 'docker.io', repository: 'store/foo/bar' }],
  ['test_com/foo', { registry: 'docker.io', repository: 'test_com/foo' }],
  [
    'localhost/foo',
    { registry: 'localhost', repository: 'foo', familiar: 'localhost/foo:latest', apiHost: 'localhost' },
  ],
  [
    'localhost:5000/a/b:c',
    {
      registry: 'localhost:5000',
      repository: 'a/b',
      tag: 'c',
      canonical: 'localhost:5000/a/b:c',
      familiar: 'localhost:5000/a/b:c',
      apiHost: 'localhost:5000',
      tagImplied: false,
    },
  ],
  ['localhost:5000/x:y', { registry: 'localhost:5000', repository: 'x', familiar: 'localhost:5000/x:y' }],
  [
    `host:5000/ns/name:tag@${D256}`,
    {
      registry: 'host:5000',
      repository: 'ns/name',
      tag: 'tag',
      digest: D256,
      canonical: `host:5000/ns/name:tag@${D256}`,
      familiar: `host:5000/ns/name:tag@${D256}`,
      tagImplied: false,
    },
  ],
  [
    `example.org/a@${D256}`,
    {
      registry: 'example.org',
      repository: 'a',
      tag: undefined,
      digest: D256,
      canonical: `example.org/a@${D256}`,
      familiar: `example.org/a@${D256}`,
      apiHost: 'example.org',
      tagImplied: false,
    },
  ],
  [
    `busybox:latest@${D256}`,
    {
      registry: 'docker.io',
      repository: 'library/busybox',
      tag: 'latest',
      digest: D256,
      canonical: `docker.io/library/busybox:latest@${D256}`,
      familiar: `busybox:latest@${D256}`,
    },
  ],
  [
    `redis@${D256}`,
    {
      registry: 'docker.io',
      repository: 'library/redis',
      tag: undefined,
      digest: D256,
      familiar: `redis@${D256}`,
      tagImplied: false,
    },
  ],
  [`example.org/a@${D512}`, { registry: 'example.org', repository: 'a', digest: D512 }],
  [`example.org/a@${D384}`, { registry: 'example.org', repository: 'a', digest: D384 }],
  [
    'ghcr.io/owner/img:v1.2.3',
    {
      registry: 'ghcr.io',
      repository: 'owner/img',
      tag: 'v1.2.3',
      familiar: 'ghcr.io/owner/img:v1.2.3',
      apiHost: 'ghcr.io',
    },
  ],
  ['127.0.0.1:5000/docker/docker', { registry: '127.0.0.1:5000', repository: 'docker/docker' }],
  [
    '127.0.0.1:5000/debian',
    { registry: '127.0.0.1:5000', repository: 'debian', canonical: '127.0.0.1:5000/debian:latest' },
  ],
  ['example.org:8000/private/moonbase', { registry: 'example.org:8000', repository: 'private/moonbase' }],
  ['test-com:8080/foo', { registry: 'test-com:8080', repository: 'foo' }],
  ['xn--n3h.com:18080/foo', { registry: 'xn--n3h.com:18080', repository: 'foo' }],
  [
    '[::1]:5000/x',
    {
      registry: '[::1]:5000',
      repository: 'x',
      canonical: '[::1]:5000/x:latest',
      familiar: '[::1]:5000/x:latest',
      apiHost: '[::1]:5000',
    },
  ],
  ['[fc00::1]:5000/docker/docker', { registry: '[fc00::1]:5000', repository: 'docker/docker' }],
  ['[fc00:1:2:3:4:5:6:7]:5000/library/debian', { registry: '[fc00:1:2:3:4:5:6:7]:5000', repository: 'library/debian' }],
  // A single component is always a Docker Hub name, even if it looks like host:port.
  [
    'localhost:5000',
    { registry: 'docker.io', repository: 'library/localhost', tag: '5000', familiar: 'localhost:5000' },
  ],
  ['192.168.0.1', { registry: 'docker.io', repository: 'library/192.168.0.1' }],
  ['192.168.0.1:80', { registry: 'docker.io', repository: 'library/192.168.0.1', tag: '80' }],
  ['image.tar', { registry: 'docker.io', repository: 'library/image.tar' }],
  // Uppercase first component is taken as a registry host (as Docker does).
  [
    'Foo/bar',
    { registry: 'Foo', repository: 'bar', canonical: 'Foo/bar:latest', familiar: 'Foo/bar:latest', apiHost: 'Foo' },
  ],
  ['DOCKER/docker', { registry: 'DOCKER', repository: 'docker' }],
  // Separators
  ['docker---rules/docker', { registry: 'docker.io', repository: 'docker---rules/docker' }],
  ['dock__er/docker', { registry: 'docker.io', repository: 'dock__er/docker' }],
  ['d/docker', { registry: 'docker.io', repository: 'd/docker' }],
  [
    'ubuntu-12.04-base',
    { registry: 'docker.io', repository: 'library/ubuntu-12.04-base', familiar: 'ubuntu-12.04-base:latest' },
  ],
  // Tags: \w start, up to 128 chars, may contain . and -
  ['app:_x', { registry: 'docker.io', repository: 'library/app', tag: '_x' }],
  ['app:V1.0-RC_1', { registry: 'docker.io', repository: 'library/app', tag: 'V1.0-RC_1' }],
  [`app:${'t'.repeat(128)}`, { registry: 'docker.io', repository: 'library/app', tag: 't'.repeat(128) }],
  // 64 hex is an ID alone, but fine as a path under a host.
  [`docker.io/${H64}`, { registry: 'docker.io', repository: `library/${H64}` }],
  [H64.slice(0, 63), { registry: 'docker.io', repository: `library/${H64.slice(0, 63)}` }],
  // Path length limit is 255 (without the domain, counting library/)
  [`${'a'.repeat(247)}`, { registry: 'docker.io', repository: `library/${'a'.repeat(247)}` }],
  [`example.org/${'a'.repeat(255)}`, { registry: 'example.org', repository: 'a'.repeat(255) }],
];

for (const [input, want] of valid) {
  test(`valid: ${input.length > 80 ? input.slice(0, 77) + '...' : input}`, () => {
    const got = parseReference(input);
    for (const [k, v] of Object.entries(want)) {
      assert.deepEqual((got as unknown as Record<string, unknown>)[k], v, `${k} of ${input}`);
    }
    // invariants
    assert.equal(got.tagImplied, got.tag === 'latest' && got.digest === undefined && !input.endsWith(':latest'));
    assert.ok(got.tag !== undefined || got.digest !== undefined);
    assert.ok(got.canonical.startsWith(`${got.registry}/${got.repository}`));
    // canonical and familiar forms parse back to the same reference
    for (const again of [got.canonical, got.familiar]) {
      const r = parseReference(again);
      assert.equal(r.canonical, got.canonical, `re-parse of ${again}`);
      assert.equal(r.familiar, got.familiar);
    }
    assert.equal(looksLikeReference(input), true);
  });
}

const invalid: Array<[string, RegExp]> = [
  ['', /at least one component/],
  [':tag', /invalid reference format/],
  ['@' + D256, /invalid reference format/],
  ['Nginx', /^invalid reference "Nginx": repository name must be lowercase$/],
  ['docker/Docker', /must be lowercase/],
  ['docker.io/docker/Docker', /must be lowercase/],
  ['localhost:5000/Foo:tag', /must be lowercase/],
  ['Foo_Bar/x', /must be lowercase|invalid/],
  ['https://example.org/docker/docker', /invalid reference format/],
  ['-docker', /invalid reference format/],
  ['-docker/docker', /invalid reference format/],
  ['docker-/docker', /invalid reference format/],
  ['-docker.io/docker/docker', /invalid registry host/],
  ['docker///docker', /empty component/],
  ['docker/', /empty component/],
  ['example.org/', /empty component/],
  ['____/____', /invalid reference format/],
  ['_docker/_docker', /invalid reference format/],
  ['dock..er/docker', /invalid reference format/],
  ['dock_.er/docker', /invalid reference format/],
  ['dock-.er/docker', /invalid reference format/],
  ['[fc00::1]', /invalid reference format/],
  ['[fc00::1]:5000', /invalid reference format/],
  ['fc00::1:5000/debian', /invalid registry host/],
  ['[fe80::1%eth0]:5000/debian', /invalid registry host/],
  ['[2001:db8:3:4::192.0.2.33]:5000/debian', /invalid registry host/],
  [H64, /64-byte hexadecimal/],
  ['nginx:', /empty tag/],
  ['nginx:-x', /tag "-x"/],
  ['nginx:.x', /tag/],
  ['nginx:a/b', /invalid reference format/],
  [`nginx:${'t'.repeat(129)}`, /tag must not be longer than 128/],
  ['nginx@sha256:abc', /digest must look like/],
  ['nginx@sha256', /digest/],
  [`nginx@sha256:${H64}0`, /invalid checksum digest length/],
  [`nginx@sha256:${H64.slice(1)}`, /invalid checksum digest length/],
  [`nginx@sha512:${H64}`, /invalid checksum digest length/],
  [`nginx@md5:${H64.slice(0, 32)}`, /unsupported digest algorithm "md5"/],
  [`nginx@sha256:${H64.toUpperCase()}`, /digest format/],
  [`nginx@${D256}@${D256}`, /invalid reference format/],
  [`${'a'.repeat(248)}`, /not be more than 255 characters/],
  [`example.org/${'a'.repeat(256)}`, /not be more than 255 characters/],
  [`this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_${'x'.repeat(200)}/docker`, /255/],
  ['foo_bar.example/x', /registry host "foo_bar.example" is not a valid host name/],
  ['a b', /invalid reference format/],
  ['nginx\n', /invalid reference format/],
  ['x'.repeat(3000), /longer than 2048/],
];

for (const [input, re] of invalid) {
  test(`invalid: ${JSON.stringify(input.length > 60 ? input.slice(0, 57) + '...' : input)}`, () => {
    assert.throws(
      () => parseReference(input),
      (err: unknown) => {
        assert.ok(err instanceof InvalidReferenceError, `expected InvalidReferenceError, got ${String(err)}`);
        assert.ok(err instanceof Error);
        assert.match(err.message, re);
        assert.match(err.message, /^invalid reference ".*": /s);
        assert.ok(!err.message.includes('\n'), 'message is one line');
        return true;
      },
    );
    assert.equal(looksLikeReference(input), false);
  });
}

test('error messages escape control, bidi and invisible characters as every name is escaped', () => {
  assert.throws(
    () => parseReference('a\u001b[2J\u202e\u200b\u2028/b'),
    (err: Error) => {
      assert.ok(!/[\u0000-\u001f\u007f\u202e\u200b\u2028]/.test(err.message), err.message);
      assert.match(err.message, /"a\\e\[2J\\u202e\\u200b\\u2028\/b"/);
      return true;
    },
  );
});

test('looksLikeReference never throws on odd input', () => {
  for (const v of [undefined, null, 42, {}, '', ' ', '::', '/', '@', '\u0000']) {
    assert.equal(looksLikeReference(v as unknown as string), false);
  }
  assert.equal(looksLikeReference('alpine:3.20'), true);
});

test('adversarial inputs do not backtrack catastrophically', () => {
  const cases = [
    'a'.repeat(2000) + '!',
    'a-'.repeat(1000) + '!',
    'a.'.repeat(1000) + '/x!',
    'a' + '-'.repeat(2000) + '!',
    'a/'.repeat(1000) + '_',
    'a' + '_a'.repeat(999) + '/',
    'x.y/' + 'a__'.repeat(600) + '!',
    '[' + ':'.repeat(2000),
  ];
  for (const c of cases) {
    const t0 = performance.now();
    looksLikeReference(c);
    const ms = performance.now() - t0;
    assert.ok(ms < 250, `${ms.toFixed(1)} ms for ${JSON.stringify(c.slice(0, 20))}…`);
  }
});
