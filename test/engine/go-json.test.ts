/**
 * Image metadata decoded as Go's encoding/json decodes it into the runtimes' structs
 * (src/engine/go-json.ts); test/integration/key-variants.test.ts holds the same reading to the
 * Docker engine's own. Here: each rule of the decoding, the parser against JSON.parse on random
 * documents (the same values, the same refusals), and hostile keys.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAsGo, variantsOf } from '../../src/engine/go-json.js';
import { DOCKER_SAVE_MANIFEST, IMAGE_CONFIG, MANIFEST } from '../../src/engine/go-schemas.js';
import type { LayerlensError } from '../../src/errors/index.js';
import { rng } from '../support/mutate.js';

/** A decoded document, read field by field in the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: the tests look into decoded JSON at known paths
type Doc = any;

const config = (text: string) => decodeAsGo(text, IMAGE_CONFIG, 'image config') as Doc;

test('a key sets its field in any case, Unicode simple folding included; the exact spelling is preferred', () => {
  const c = config('{"config":{"user":"root-ish","ENV":["A=1"],"exposedports":{"5432/tcp":{}}}}');
  assert.deepEqual(c.config, { User: 'root-ish', Env: ['A=1'], ExposedPorts: { '5432/tcp': {} } });
  // ſ (U+017F) folds to s, K (U+212A) to k: Go matches them to ASCII field names.
  const odd = config('{"config":{"Uſer":"u","HealthchecK":{"Test":["CMD","true"]}}}');
  assert.deepEqual(odd.config, { User: 'u', Healthcheck: { Test: ['CMD', 'true'] } });
  // Another letter that is not ASCII matches nothing: kept as written, not a field. (Not even
  // the dotless ı, which JavaScript's toUpperCase makes an I, nor ß, which it makes SS.)
  assert.deepEqual(config('{"config":{"Usér":"x","WorkıngDir":"/d","Labelß":{}}}').config, {
    Usér: 'x',
    WorkıngDir: '/d',
    Labelß: {},
  });
  assert.deepEqual(
    variantsOf(c).map((v) => `${v.how} ${v.written} -> ${v.field}`),
    [
      'case config.user -> config.User',
      'case config.ENV -> config.Env',
      'case config.exposedports -> config.ExposedPorts',
    ],
  );
  assert.deepEqual(config('{"config":{"User":"a"}}').config, { User: 'a' });
  assert.deepEqual(variantsOf(config('{"config":{"User":"a"}}')), []);
});

test('the last of a repeated field wins, in document order (JSON.parse keeps the first one`s place)', () => {
  // JSON.parse would give Env ["c"] here too, but "env" after it: the order decides.
  const c = config('{"config":{"Env":["a"],"env":["b"],"Env":["c"],"env":["d"]}}');
  assert.deepEqual(c.config.Env, ['d']);
  assert.deepEqual(
    variantsOf(c)
      .filter((v) => v.how === 'repeated')
      .map((v) => v.field),
    ['config.Env'],
  );
});

test('null clears a list, a map or a pointer, and leaves a string as it was', () => {
  const c = config('{"config":{"User":"app","User":null,"Env":["A=1"],"Env":null,"Labels":{"a":"1"},"labels":null}}');
  assert.deepEqual(c.config, { User: 'app' });
  assert.deepEqual(config('{"config":{"User":"x"},"config":null}').config, undefined);
  // container_config is a struct value, not a pointer: null leaves it.
  assert.deepEqual(config('{"container_config":{"User":"x"},"container_config":null}').container_config, { User: 'x' });
});

test('a repeated map gains keys, a repeated struct keeps the fields the later one leaves out', () => {
  const c = config(
    '{"config":{"ExposedPorts":{"80/tcp":{}},"exposedports":{"5432/tcp":{}},"Labels":{"a":"1"},"Labels":{"b":"2","a":"3"},' +
      '"Healthcheck":{"Test":["CMD","true"],"Retries":3},"healthcheck":{"Retries":5}}}',
  );
  assert.deepEqual(c.config.ExposedPorts, { '80/tcp': {}, '5432/tcp': {} });
  assert.deepEqual(c.config.Labels, { a: '3', b: '2' });
  assert.deepEqual(c.config.Healthcheck, { Test: ['CMD', 'true'], Retries: 5 });
  // Two config objects: the second decodes into the first.
  assert.deepEqual(config('{"config":{"User":"a","Env":["X=1"]},"config":{"User":"b"}}').config, {
    User: 'b',
    Env: ['X=1'],
  });
});

test('list elements decode into what an earlier, longer value left there (Go reuses the backing array)', () => {
  const c = config(
    '{"history":[{"created_by":"RUN a","comment":"one"},{"created_by":"RUN b"},{"created_by":"RUN c"}],' +
      '"history":[{"comment":"x"}],"HISTORY":[{"author":"y"},null,{"empty_layer":true}]}',
  );
  assert.deepEqual(c.history, [
    { created_by: 'RUN a', comment: 'x', author: 'y' },
    { created_by: 'RUN b' },
    { created_by: 'RUN c', empty_layer: true },
  ]);
  // A null element of a fresh list is an empty entry; of strings, an empty string where none was.
  assert.deepEqual(config('{"history":[null]}').history, [{}]);
  assert.deepEqual(config('{"config":{"Env":["A=1","B=2"],"Env":[null,"C=3"]}}').config.Env, ['A=1', 'C=3']);
  // null clears the list: nothing is kept for later.
  assert.deepEqual(config('{"history":[{"comment":"a"}],"history":null,"history":[{}]}').history, [{}]);
});

test("Cmd, Entrypoint and Shell take one string as a list of one (moby's StrSlice)", () => {
  const c = config('{"config":{"Cmd":"/bin/sh","Entrypoint":["/init"],"Shell":"bash"}}');
  assert.deepEqual(c.config, { Cmd: ['/bin/sh'], Entrypoint: ['/init'], Shell: ['bash'] });
});

test('manifests and docker save manifests read the same way', () => {
  const m = decodeAsGo(
    '{"schemaVersion":2,"layers":[{"digest":"sha256:a"}],"LAYERS":[{"Digest":"sha256:b","SIZE":3}],"Config":{"mediatype":"x"}}',
    MANIFEST,
    'manifest',
  ) as Doc;
  assert.deepEqual(m.layers, [{ digest: 'sha256:b', size: 3 }]);
  assert.deepEqual(m.config, { mediaType: 'x' });
  const d = decodeAsGo(
    '[{"config":"c.json","layers":["l.tar"],"repotags":["a:1"]}]',
    DOCKER_SAVE_MANIFEST,
    'm',
  ) as Doc[];
  assert.deepEqual(d, [{ Config: 'c.json', Layers: ['l.tar'], RepoTags: ['a:1'] }]);
  assert.equal(variantsOf(d).length, 3);
});

test('__proto__ is a key like any other: an own property, no prototype touched', () => {
  const c = config('{"__proto__":{"User":"x"},"config":{"__proto__":{"polluted":true},"User":"u"}}');
  assert.equal(Object.getPrototypeOf(c), Object.prototype);
  assert.deepEqual(Object.keys(c), ['__proto__', 'config']);
  assert.equal(c.config.User, 'u');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).User, undefined);
});

test('not JSON, or nested too deep: one line, no byte of the document quoted', () => {
  for (const text of ['{"a":', '{"a" 1}', '[1,]', '{"a":"\u0001"}', '{"a":"\\x"}', 'nul', '{} x', '\ufeff{}', '']) {
    assert.throws(
      () => config(text),
      (e: LayerlensError) => e.code === 'BAD_SCHEMA' && /^image config is not valid JSON \(.+\)$/.test(e.message),
      JSON.stringify(text),
    );
  }
  assert.throws(
    () => config('['.repeat(10_000) + ']'.repeat(10_000)),
    (e: LayerlensError) => e.code === 'BAD_SCHEMA' && /nests more than \d+ levels deep/.test(e.message),
  );
});

/** A random JSON text of values, keys drawn from the config's own field names and others. */
function randomJson(r: () => number, depth = 0): string {
  const keys = ['User', 'Env', 'config', 'history', 'Labels', 'a', 'b', 'ü', '\\"q', '__proto__', 'created_by'];
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const k = r();
  if (depth > 4 || k < 0.3)
    return pick(['1', '-0.5e3', 'true', 'false', 'null', '"s"', '"\\u00e9\\n"', '""', '12345678901234567890']);
  if (k < 0.6) return `[${Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1)).join(',')}]`;
  const members = new Set<string>();
  while (members.size < Math.floor(r() * 5)) members.add(pick(keys));
  return `{${[...members].map((m) => `"${m}" : ${randomJson(r, depth + 1)}`).join(', ')}}`;
}

test('the parser agrees with JSON.parse on random documents and their random corruptions', () => {
  const r = rng(7);
  let compared = 0;
  let refused = 0;
  for (let n = 0; n < 3000; n++) {
    let text = randomJson(r);
    if (n % 2 === 1 && text.length > 2) {
      // Corrupt one character: both readers must then accept or refuse alike.
      const at = Math.floor(r() * text.length);
      text = text.slice(0, at) + '{}[]",:x 0'[Math.floor(r() * 10)] + text.slice(at + 1);
    }
    let expected: unknown;
    let plainOk = true;
    try {
      expected = JSON.parse(text);
    } catch {
      plainOk = false;
    }
    // With no schema to fold to (a list of unknown members' values), the values are JSON.parse's.
    let got: unknown;
    let ok = true;
    try {
      got = decodeAsGo(text, { kind: 'scalar' }, 'doc');
    } catch {
      ok = false;
    }
    assert.equal(ok, plainOk, text);
    if (ok) {
      assert.deepEqual(got, expected, text);
      compared++;
    } else refused++;
  }
  assert.ok(compared > 1000 && refused > 300, `${compared} compared, ${refused} refused`);
});
