/**
 * The two image configs compared: USER, platform, ENTRYPOINT/CMD, WORKDIR, STOPSIGNAL,
 * HEALTHCHECK, EXPOSE, VOLUME, ENV and LABEL, and the history steps lined up. ENV and LABEL
 * values that the config check judges secret are masked the way findings mask them (first
 * characters and the length); a changed secret shows as two masks and "changed".
 */
import type { ImageModel } from '../../engine/image.js';
import { imagePlatform } from '../../engine/platform.js';
import type { ImageConfig } from '../../engine/types.js';
import { redactCommand, redactValue } from '../redact.js';
import { compareHistory } from './layers.js';
import type { ConfigComparison, KeyChange, ValueChange } from './types.js';

type Cfg = NonNullable<ImageConfig['config']>;

export function platformOf(model: ImageModel): string | null {
  return model.meta ? imagePlatform(model.meta) : null;
}

function change<T>(a: T, b: T, same: (x: T, y: T) => boolean = (x, y) => x === y): ValueChange<T> | null {
  return same(a, b) ? null : { old: a, new: b };
}

const sameList = (x: string[] | null, y: string[] | null) =>
  x === y || (!!x && !!y && x.length === y.length && x.every((v, i) => v === y[i]));

/** An exec-form list as the config holds it, each item with secrets masked (commands can carry them). */
function commandList(v: string[] | null | undefined): string[] | null {
  return Array.isArray(v) ? v.map((s) => redactCommand(String(s))) : null;
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
  const a: Cfg = oldModel.meta?.config.config ?? {};
  const b: Cfg = newModel.meta?.config.config ?? {};
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  const labels = (c: Cfg) => new Map(Object.entries(c.Labels ?? {}).map(([k, v]) => [k, String(v)]));
  return {
    user: change(str(a.User), str(b.User)),
    platform: change(platformOf(oldModel), platformOf(newModel)),
    entrypoint: change(commandList(a.Entrypoint), commandList(b.Entrypoint), sameList),
    cmd: change(commandList(a.Cmd), commandList(b.Cmd), sameList),
    workingDir: change(str(a.WorkingDir), str(b.WorkingDir)),
    stopSignal: change(str(a.StopSignal), str(b.StopSignal)),
    healthcheck: change(json(a.Healthcheck), json(b.Healthcheck)),
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
