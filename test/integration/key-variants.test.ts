/**
 * Image configs whose keys are spelled otherwise than their fields, or given more than once, read
 * by layerlens and by the Docker engine: seeded random configs (keys in any case, with the long
 * s and the Kelvin sign, repeated fields and objects, nulls, a string for Cmd) are loaded with
 * `docker load`; what `docker image inspect` and `docker history` say the image runs with must
 * be what layerlens shows (engine/go-json.ts), and each such config is reported.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageModel } from '../../src/engine/image.js';
import { runChecks } from '../../src/findings/index.js';
import { openImage } from '../../src/sources/open.js';
import { oneLayerArchive } from '../support/archives.js';
import { unpackTest } from '../support/docker-unpack.js';
import { docker } from '../support/harness.js';
import { rng } from '../support/mutate.js';
import { file, tar } from '../support/tar-craft.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** One member of a JSON object as text: the key spelled as given, the value as JSON. */
const member = (key: string, value: unknown) => `${JSON.stringify(key)}:${JSON.stringify(value)}`;

function spell(r: () => number, field: string): string {
  const k = r();
  if (k < 0.3) return field;
  if (k < 0.45) return field.toLowerCase();
  if (k < 0.55) return field.toUpperCase();
  if (k < 0.7 && /s/i.test(field)) return field.replace(/s/i, '\u017f');
  if (k < 0.8 && /k/i.test(field)) return field.replace(/k/i, '\u212a');
  return [...field].map((c) => (r() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** The values a field of a random config takes (nulls and StrSlice strings among them). */
const CANDIDATES: Record<string, readonly unknown[]> = {
  User: ['', 'app', 'root', '1000:1000', null],
  Env: [['A=1'], ['A=1', 'B=2'], ['TOKEN=x', 'PATH=/bin'], [null, 'C=3'], null],
  ExposedPorts: [{ '80/tcp': {} }, { '5432/tcp': {}, '6379/tcp': {} }, {}, null],
  Labels: [{ a: '1' }, { b: '2', a: '3' }, null],
  Entrypoint: [['/init'], '/bin/sh', null],
  Cmd: [['run'], 'serve --port 80', ['a', 'b'], null],
  WorkingDir: ['/', '/app', null],
  Healthcheck: [{ Test: ['CMD', 'true'], Retries: 3 }, { Retries: 5 }, null],
};

/** A random config text for one layer whose diffID is `diffId`. */
function randomConfig(r: () => number, diffId: string): string {
  const fields = Object.keys(CANDIDATES);
  const configObject = () => {
    const members: string[] = [];
    for (let n = 1 + Math.floor(r() * 7); n > 0; n--) {
      const f = pick(r, fields);
      members.push(member(spell(r, f), pick(r, CANDIDATES[f])));
    }
    return `{${members.join(',')}}`;
  };
  const historyEntry = () =>
    pick(r, [{ created_by: 'RUN a' }, { comment: 'c' }, { created_by: 'RUN b', comment: 'd' }, null]);
  const top = ['"architecture":"amd64"', '"os":"linux"', `"rootfs":{"type":"layers","diff_ids":["${diffId}"]}`];
  for (let n = 1 + Math.floor(r() * 2); n > 0; n--) top.push(`${JSON.stringify(spell(r, 'config'))}:${configObject()}`);
  for (let n = 1 + Math.floor(r() * 2); n > 0; n--) {
    const entry = historyEntry();
    top.push(member(pick(r, ['history', 'History', 'HISTORY']), [entry]));
  }
  return `{${top.join(',')}}`;
}

/** A value as compared: empty strings, lists and maps are as good as none (inspect omits them). */
function norm(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v)) return v.length ? v : undefined;
  if (typeof v === 'object') return Object.keys(v as object).length ? v : undefined;
  return v;
}

const FIELDS = ['User', 'Env', 'ExposedPorts', 'Labels', 'Entrypoint', 'Cmd', 'WorkingDir', 'Healthcheck'] as const;

unpackTest('configs spelled otherwise than their fields: layerlens reads them as docker load does', async (dir) => {
  const layer = tar([file('hello', 'hi\n')]);
  const diffId = `sha256:${sha(layer)}`;
  const r = rng(20261204);
  let variants = 0;
  for (let n = 0; n < 24; n++) {
    const configText = Buffer.from(randomConfig(r, diffId));
    const archive = join(dir, `case-${n}.tar`);
    const tag = `layerlens-it/key-variants:${n}-${process.pid}`;
    await writeFile(archive, await oneLayerArchive(layer, configText, tag));
    await docker(['load', '-i', archive]);
    try {
      const inspected =
        JSON.parse((await docker(['image', 'inspect', '--format', '{{json .Config}}', tag])).stdout) ?? {};
      const history = (
        await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', tag])
      ).stdout.trim();
      const model = new ImageModel();
      await model.load(await openImage(archive, { source: 'archive', pull: false, insecure: false, plainHttp: false }));
      const cfg = (model.meta!.config.config ?? {}) as Record<string, unknown>;
      const text = configText.toString();
      for (const f of FIELDS) assert.deepEqual(norm(cfg[f]), norm(inspected[f]), `${f} of ${text}`);
      const h = model.meta!.history[0];
      assert.equal(`${h?.createdBy ?? ''}|${h?.comment ?? ''}`, history, `history of ${text}`);
      const reported = runChecks(model, { reference: archive }).some((x) => x.ruleId === 'config-key-variant');
      if (reported) variants++;
      assert.equal(reported, (model.meta!.keyVariants?.length ?? 0) > 0);
    } finally {
      await docker(['rmi', tag]);
    }
  }
  assert.ok(variants >= 12, `${variants} of 24 configs held variants`);
});
