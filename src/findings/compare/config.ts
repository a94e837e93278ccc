/**
 * The two image configs compared: USER, platform, ENTRYPOINT/CMD, WORKDIR, STOPSIGNAL,
 * HEALTHCHECK, EXPOSE, VOLUME, ENV and LABEL, and the history steps lined up. ENV and LABEL
 * values that the config check judges secret, and the strings the config-value check reports
 * (a command's arguments, the health check), are masked the way findings mask them (first
 * characters and the length); a changed secret shows as two masks and "changed".
 */
import type { ImageModel } from '../../engine/image.js';
import { imagePlatform } from '../../engine/platform.js';
import type { ImageConfig } from '../../engine/types.js';
import { redactConfigStrings, redactValue } from '../redact.js';
import { compareHistory } from './layers.js';
import type { ConfigComparison, KeyChange, ValueChange } from './types.js';

type Cfg = NonNullable<ImageConfig['config']>;

export function platformOf(model: ImageModel): string | null {
  return model.meta ? imagePlatform(model.meta) : null;
}

/** `a` → `b` when they differ; shown as `shownA` → `shownB` (their secrets masked) when given. */
function change<T>(
  a: T,
  b: T,
  same: (x: T, y: T) => boolean = (x, y) => x === y,
  shownA: T = a,
  shownB: T = b,
): ValueChange<T> | null {
  return same(a, b) ? null : { old: shownA, new: shownB };
}

const sameList = (x: string[] | null, y: string[] | null) =>
  x === y || (!!x && !!y && x.length === y.length && x.every((v, i) => v === y[i]));

/** An exec-form list as the config holds it (its secrets already masked: compareConfig). */
function commandList(v: string[] | null | undefined): string[] | null {
  return Array.isArray(v) ? v.map(String) : null;
}

function setDiff(a: string[], b: string[]): { added: string[]; removed: string[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  return { added: b.filter((x) => !sa.has(x)).sort(), removed: a.filter((x) => !sb.has(x)).sort() };
}

function envMap(cfg: Cfg): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of cfg.Env ?? []) {
    const i = kv.indexOf('=');
    m.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1));
  }
  return m;
}

/** KEY=value pairs compared; each value shown as the explorer shows it (redact.ts: secrets masked). */
export function compareKeyValues(a: Map<string, string>, b: Map<string, string>): KeyChange[] {
  const out: KeyChange[] = [];
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const key of keys) {
    const x = a.get(key);
    const y = b.get(key);
    if (x === y) continue;
    const rx = x === undefined ? undefined : redactValue(key, x);
    const ry = y === undefined ? undefined : redactValue(key, y);
    out.push({
      key,
      change: x === undefined ? 'added' : y === undefined ? 'removed' : 'changed',
      old: rx?.text ?? null,
      new: ry?.text ?? null,
      masked: (rx?.masked ?? 0) + (ry?.masked ?? 0) > 0,
    });
  }
  return out;
}

export function compareConfig(oldModel: ImageModel, newModel: ImageModel): ConfigComparison {
  // Commands, the health check and the other strings as every view shows them: what the
  // config-value check reports is masked (ENV and LABEL values are masked below, key by key).
  // (Compared as they are, shown masked: two secrets may mask alike.)
  const raw = (m: ImageModel): Cfg => m.meta?.config.config ?? {};
  const shown = (m: ImageModel): Cfg => (m.meta ? (redactConfigStrings(m.meta.config, false).config ?? {}) : {});
  const [ra, rb] = [raw(oldModel), raw(newModel)];
  const a: Cfg = shown(oldModel);
  const b: Cfg = shown(newModel);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  const labels = (c: Cfg) => new Map(Object.entries(c.Labels ?? {}).map(([k, v]) => [k, String(v)]));
  return {
    user: change(str(a.User), str(b.User)),
    platform: change(platformOf(oldModel), platformOf(newModel)),
    entrypoint: change(
      commandList(ra.Entrypoint),
      commandList(rb.Entrypoint),
      sameList,
      commandList(a.Entrypoint),
      commandList(b.Entrypoint),
    ),
    cmd: change(commandList(ra.Cmd), commandList(rb.Cmd), sameList, commandList(a.Cmd), commandList(b.Cmd)),
    workingDir: change(str(ra.WorkingDir), str(rb.WorkingDir), undefined, str(a.WorkingDir), str(b.WorkingDir)),
    stopSignal: change(str(a.StopSignal), str(b.StopSignal)),
    healthcheck: change(
      json(ra.Healthcheck),
      json(rb.Healthcheck),
      undefined,
      json(a.Healthcheck),
      json(b.Healthcheck),
    ),
    exposedPorts: setDiff(Object.keys(a.ExposedPorts ?? {}), Object.keys(b.ExposedPorts ?? {})),
    volumes: setDiff(Object.keys(a.Volumes ?? {}), Object.keys(b.Volumes ?? {})),
    env: compareKeyValues(envMap(a), envMap(b)),
    labels: compareKeyValues(labels(a), labels(b)),
    history: compareHistory(oldModel, newModel),
  };
}

/** Whether anything but the history differs (the history is judged with the layers). */
export function configChanged(c: ConfigComparison): boolean {
  return (
    !!(c.user || c.platform || c.entrypoint || c.cmd || c.workingDir || c.stopSignal || c.healthcheck) ||
    c.exposedPorts.added.length + c.exposedPorts.removed.length > 0 ||
    c.volumes.added.length + c.volumes.removed.length > 0 ||
    c.env.length > 0 ||
    c.labels.length > 0
  );
}
