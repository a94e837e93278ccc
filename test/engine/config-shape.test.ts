/**
 * The config's shape is checked at the engine's door (issue 13 item 6): what the checks and views
 * read has the type the image spec gives it, or the image is refused with one line saying what is
 * wrong and where. The examples first, then the rest of the class.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageModel } from '../../src/engine/image.js';
import { checkDepth, checkImageConfig } from '../../src/engine/config-shape.js';
import { LayerlensError } from '../../src/errors/index.js';
import { memoryReader } from '../../src/sources/memory.js';
import { memoryImage } from '../support/image.js';

const base = () => ({
  os: 'linux',
  architecture: 'amd64',
  config: { Env: ['A=1'], Labels: { a: 'b' }, Cmd: ['sh'], ExposedPorts: { '80/tcp': {} } },
  rootfs: { type: 'layers', diff_ids: [] },
  history: [{ created_by: 'x' }],
});

function refused(mutate: (c: ReturnType<typeof base> & Record<string, unknown>) => void, re: RegExp): void {
  const c = base() as ReturnType<typeof base> & Record<string, unknown>;
  mutate(c);
  assert.throws(
    () => checkImageConfig(c, 'image config sha256:abc'),
    (err: unknown) => err instanceof LayerlensError && err.code === 'BAD_CONFIG' && re.test(err.message),
  );
}

test("the issue's examples: a null history entry, non-string Env items, Env as a string, a numeric label", () => {
  refused(
    (c) => ((c.history as unknown[])[0] = null),
    /^image config sha256:abc: history\[0\] is null, not an object$/,
  );
  refused((c) => ((c.config.Env as unknown[])[0] = 5), /config\.Env\[0\] is a number, not a string/);
  refused((c) => ((c.config as Record<string, unknown>).Env = 'A=1'), /config\.Env is a string, not a list of strings/);
  refused(
    (c) => ((c.config.Labels as Record<string, unknown>).a = 3),
    /config\.Labels\["a"\] is a number, not a string/,
  );
});

test('the rest of the class: every field the checks and views read', () => {
  refused((c) => ((c as Record<string, unknown>).os = 7), /os is a number, not a string/);
  refused((c) => ((c.config as Record<string, unknown>).User = ['root']), /config\.User is a list, not a string/);
  refused((c) => ((c.config as Record<string, unknown>).Cmd = [['sh']]), /config\.Cmd\[0\] is a list, not a string/);
  refused(
    (c) => ((c.config as Record<string, unknown>).ExposedPorts = ['80/tcp']),
    /config\.ExposedPorts is a list, not an object/,
  );
  refused(
    (c) => ((c.config as Record<string, unknown>).Volumes = { '/data': 1 }),
    /config\.Volumes\["\/data"\] is a number/,
  );
  refused((c) => (c.config = 'x' as never), /config is a string, not an object/);
  refused((c) => (c.history = {} as never), /history is an object, not a list/);
  refused(
    (c) => ((c.history[0] as Record<string, unknown>).empty_layer = 'yes'),
    /empty_layer is a string, not true or false/,
  );
  refused((c) => ((c.history[0] as Record<string, unknown>).created_by = 1), /history\[0\]\.created_by is a number/);
  // What is allowed: nulls where the spec allows them, unknown fields, empty lists.
  const ok = base() as Record<string, unknown>;
  Object.assign(ok.config as object, { Entrypoint: null, Cmd: null, Labels: null, Extra: { any: [1, 'x'] } });
  ok.history = [];
  checkImageConfig(ok, 'x');
});

test('nesting past any real document is refused before something writes it out again', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 150; i++) deep = [deep];
  assert.throws(
    () => checkDepth({ config: { Healthcheck: deep } }, 'image config x'),
    /nests more than 100 levels deep/,
  );
  refused((c) => ((c.config as Record<string, unknown>).Healthcheck = []), /Healthcheck is a list, not an object/);
});

test('every source passes the door: a bad config from an in-memory source fails the load in one line', async () => {
  const { meta, blobs } = await memoryImage([{ entries: [{ name: 'a', content: 'x' }] }]);
  (meta.config.config as Record<string, unknown>).Env = [null];
  await assert.rejects(new ImageModel().load(memoryReader(meta, blobs)), (err: unknown) => {
    assert.ok(err instanceof LayerlensError);
    assert.equal(err.message, 'image config: config.Env[0] is null, not a string');
    return true;
  });
});
