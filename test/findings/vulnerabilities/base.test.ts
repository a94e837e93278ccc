/**
 * Base image or own layers: the OCI base-image annotations (from the image manifest, read by the
 * OCI layout source; else the config's labels), Buildah's `FROM <base>` history comment, the
 * CMD/ENTRYPOINT step, a pause in the history, and none. The layouts are written by the tests' own
 * OCI writer with the manifest annotations and history Podman writes (checked against podman
 * 4.3 / buildah 1.28: `org.opencontainers.image.base.name` and `.base.digest` on the manifest,
 * `comment: "FROM <base.name>"` on the first step of the new image, `FROM <id>` on the next ones).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { mapHistory } from '../../../src/engine/history.js';
import { ImageModel } from '../../../src/engine/image.js';
import type { ImageConfig, ImageMeta } from '../../../src/engine/types.js';
import { baseImageOf } from '../../../src/findings/vulnerabilities/index.js';
import { openImage } from '../../../src/sources/open.js';
import { memoryImage } from '../../support/image.js';
import { writeOciLayout } from '../../support/oci-layout.js';

const root = mkdtempSync(join(tmpdir(), 'll-base-'));
after(() => rmSync(root, { recursive: true, force: true }));

const BASE = 'registry.example.org/base/busybox:1';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

type Step = NonNullable<ImageConfig['history']>[number];

function meta(history: Step[], extra: Partial<ImageMeta> = {}, labels?: Record<string, string>): ImageMeta {
  const layers = history.filter((h) => !h.empty_layer).length;
  const config: ImageConfig = {
    rootfs: { type: 'layers', diff_ids: Array.from({ length: layers }, (_, i) => `sha256:${String(i).repeat(64)}`) },
    history,
    config: labels ? { Labels: labels } : {},
  };
  return { reference: 'x', source: 'oci', config, layers: [], history: mapHistory(config), ...extra };
}

/** The history Podman writes for `FROM BASE` + two RUN steps on a base of COPY, RUN, CMD. */
const PODMAN_HISTORY: Step[] = [
  { created: '2026-12-03T05:59:17Z', created_by: '/bin/sh -c #(nop) COPY file:01b0 in /bin/busybox ' },
  {
    created: '2026-12-03T05:59:18Z',
    created_by: '/bin/sh -c ["/bin/busybox", "--install"]',
    comment: 'FROM e938bb33e6ca',
  },
  {
    created: '2026-12-03T05:59:19Z',
    created_by: '/bin/sh -c #(nop) CMD ["/bin/sh"]',
    comment: 'FROM 88cdcba63706',
    empty_layer: true,
  },
  { created: '2026-12-03T05:59:20Z', created_by: '/bin/sh -c echo hi > /hello', comment: `FROM ${BASE}` },
  { created: '2026-12-03T05:59:21Z', created_by: '/bin/sh -c echo more > /more', comment: 'FROM 2141df973b9e' },
];

test("Podman's annotations and its FROM comment: the base ends where the first step on it begins", () => {
  const m = meta(PODMAN_HISTORY, {
    annotations: {
      'org.opencontainers.image.base.name': BASE,
      'org.opencontainers.image.base.digest': DIGEST,
    },
  });
  assert.deepEqual(baseImageOf(m), {
    layers: 2,
    how: 'builder-comment',
    name: BASE,
    digest: DIGEST,
    namedBy: 'annotation',
  });
});

test('the FROM comment counts only for the base the annotation names; else the CMD step decides', () => {
  // The same history without annotations: the base's CMD step ends it (here at the same layer).
  assert.deepEqual(baseImageOf(meta(PODMAN_HISTORY)), { layers: 2, how: 'history-cmd' });
  // A base that ends without CMD, named by the annotation: only the comment can find its end.
  const noCmd = PODMAN_HISTORY.filter((h) => !h.empty_layer);
  assert.equal(baseImageOf(meta(noCmd)).how, 'none');
  const other = meta(noCmd, { annotations: { 'org.opencontainers.image.base.name': 'registry.example.org/other:2' } });
  assert.deepEqual(baseImageOf(other), {
    layers: 0,
    how: 'none',
    name: 'registry.example.org/other:2',
    namedBy: 'annotation',
  });
  const same = meta(noCmd, { annotations: { 'org.opencontainers.image.base.name': BASE } });
  assert.equal(baseImageOf(same).layers, 2);
});

test("annotations win over labels; labels name the base when the manifest does not; blanks don't count", () => {
  const labels = { 'org.opencontainers.image.base.name': 'registry.example.org/from-label:1' };
  const both = meta(PODMAN_HISTORY, { annotations: { 'org.opencontainers.image.base.name': BASE } }, labels);
  assert.equal(baseImageOf(both).name, BASE);
  const label = baseImageOf(meta(PODMAN_HISTORY, {}, labels));
  assert.equal(label.name, 'registry.example.org/from-label:1');
  assert.equal(label.namedBy, 'label');
  const blank = baseImageOf(meta(PODMAN_HISTORY, { annotations: { 'org.opencontainers.image.base.name': '  ' } }));
  assert.equal(blank.name, undefined);
});

test('a pause of more than an hour, and no boundary at layer 0', () => {
  const timed = meta([
    { created: '2024-01-01T00:00:00Z', created_by: 'ADD rootfs.tar /' },
    { created: '2024-01-01T00:05:00Z', created_by: 'RUN setup' },
    { created: '2026-05-01T10:00:00Z', created_by: 'COPY app /app' },
  ]);
  assert.deepEqual(baseImageOf(timed), { layers: 2, how: 'history-time' });
  // A base image scanned itself: its CMD is last, nothing after it.
  const itself = meta([
    { created_by: 'ADD rootfs.tar /' },
    { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
  ]);
  assert.deepEqual(baseImageOf(itself), { layers: 0, how: 'none' });
});

test('the OCI layout source passes the manifest annotations on, string values only', async () => {
  const { meta: m, blobs } = await memoryImage([
    { entries: [{ name: 'bin/busybox', content: 'x' }], createdBy: PODMAN_HISTORY[0].created_by },
    { entries: [{ name: 'bin/sh', content: 'y' }], createdBy: PODMAN_HISTORY[1].created_by },
    { entries: [{ name: 'hello', content: 'hi\n' }], createdBy: PODMAN_HISTORY[3].created_by },
    { entries: [{ name: 'more', content: 'more\n' }], createdBy: PODMAN_HISTORY[4].created_by },
  ]);
  m.config.history = PODMAN_HISTORY;
  const dir = join(root, 'podman-like');
  await writeOciLayout(dir, m, blobs, 'latest', {
    'org.opencontainers.image.base.name': BASE,
    'org.opencontainers.image.base.digest': DIGEST,
    // Hostile input: not a string, dropped.
    'x.example.count': 3 as unknown as string,
  });
  const reader = await openImage(dir, { source: 'oci', pull: false, insecure: false, plainHttp: false });
  try {
    const model = new ImageModel();
    await model.load(reader);
    assert.deepEqual(model.meta!.annotations, {
      'org.opencontainers.image.base.name': BASE,
      'org.opencontainers.image.base.digest': DIGEST,
    });
    const base = baseImageOf(model.meta!);
    assert.equal(base.how, 'builder-comment');
    assert.equal(base.layers, 2);
  } finally {
    await reader.close();
  }
});
