/** What the diff reports say alike (table and Markdown): the summary lines and the small formats they share. */
import { formatBytes } from '../../text/bytes.js';
import type {
  ConfigComparison,
  FileChange,
  ImageComparison,
  ImageSummary,
  LayerRow,
  SideSizes,
  ValueChange,
  VulnerabilityChange,
} from '../../findings/compare/types.js';
import { isVulnerability } from '../../findings/compare/vulnerabilities.js';
import { dirname } from '../../engine/paths.js';
import type { Finding, Severity } from '../../findings/types.js';
import { SEVERITIES } from '../../findings/types.js';
import { summarize } from '../json.js';
import { escapeText, shortDigest } from '../text.js';

/** `+1.2 MiB`, `-300 B`, `±0 B`. */
export function signedBytes(n: number): string {
  if (n === 0) return '±0 B';
  return (n > 0 ? '+' : '-') + formatBytes(Math.abs(n));
}

/** The single-valued config fields that differ, named as a Dockerfile names them. */
export function configValueChanges(c: ConfigComparison): Array<[string, ValueChange<unknown>]> {
  const all: Array<[string, ValueChange<unknown> | null]> = [
    ['USER', c.user],
    ['platform', c.platform],
    ['ENTRYPOINT', c.entrypoint],
    ['CMD', c.cmd],
    ['WORKDIR', c.workingDir],
    ['STOPSIGNAL', c.stopSignal],
    ['HEALTHCHECK', c.healthcheck],
  ];
  return all.filter((x): x is [string, ValueChange<unknown>] => x[1] !== null);
}

/** The config fields that differ, named as a Dockerfile names them. */
export function configChangeNames(c: ConfigComparison): string[] {
  const out = configValueChanges(c).map(([name]) => name);
  if (c.exposedPorts.added.length || c.exposedPorts.removed.length) out.push('EXPOSE');
  if (c.volumes.added.length || c.volumes.removed.length) out.push('VOLUME');
  if (c.env.length) out.push('ENV');
  if (c.labels.length) out.push('LABEL');
  return out;
}

/** `app:1  (archive)  sha256:0123456789ab  linux/amd64  5 layers` */
export function imageLine(s: ImageSummary, sizes: SideSizes): string {
  return [
    escapeText(s.reference || '-'),
    `(${s.source})`,
    s.digest ? shortDigest(s.digest) : '',
    escapeText(s.platform ?? ''),
    `${s.layerCount} layer${s.layerCount === 1 ? '' : 's'}`,
    formatBytes(sizes.uncompressed),
  ]
    .filter(Boolean)
    .join('  ');
}

/** "2 new (1 high, 1 info)" */
export function countBySeverity(findings: Array<{ severity: Severity }>): string {
  const s = summarize(findings as Finding[]);
  const parts = SEVERITIES.filter((k: Severity) => s[k] > 0).map((k) => `${s[k]} ${k}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export const RELATION_MARK: Record<LayerRow['relation'], string> = {
  shared: '=',
  rebuilt: '~',
  removed: '-',
  added: '+',
};

export const RELATION_TEXT: Record<LayerRow['relation'], string> = {
  shared: 'shared',
  rebuilt: 'rebuilt (same step, other content)',
  removed: 'only in old',
  added: 'only in new',
};

/** The summary as label/text pairs (the table prints them aligned, Markdown as a table). */
/** What the lists show (--severity): findings other than vulnerabilities, and vulnerabilities. */
export interface ShownFindings {
  new: Finding[];
  resolved: Finding[];
  introduced: VulnerabilityChange[];
  fixed: VulnerabilityChange[];
}

/** The findings and vulnerabilities the lists show, vulnerabilities apart from the other findings. */
export function shownFindings(c: ImageComparison, shown: (f: Finding) => boolean = () => true): ShownFindings {
  const sev = (v: VulnerabilityChange) => shown({ severity: v.severity } as Finding);
  return {
    new: c.findings.new.filter((f) => shown(f) && !isVulnerability(f)),
    resolved: c.findings.resolved.filter((f) => shown(f) && !isVulnerability(f)),
    introduced: c.vulnerabilities.introduced.filter(sev),
    fixed: c.vulnerabilities.fixed.filter(sev),
  };
}

export function summaryRows(c: ImageComparison, shown: ShownFindings): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const l = c.layers;
  const shared =
    `${l.shared.byDiffId} of ${c.new.layerCount} shared with old` +
    (l.shared.byDigest !== null && l.shared.byDigest !== l.shared.byDiffId
      ? ` (${l.shared.byDigest} of them as the same stored blob)`
      : '') +
    (l.shared.bytes ? `, ${formatBytes(l.shared.bytes)}` : '');
  const part = l.divergence
    ? l.commonPrefix > 0
      ? `; identical up to layer ${l.commonPrefix - 1}, then they part at layer ${l.divergence.layer}`
      : '; they part at layer 0 (another base)'
    : '; identical';
  rows.push(['layers', shared + part]);
  const f = c.files;
  const files =
    f.added + f.removed + f.modified === 0
      ? 'no change'
      : `+${f.added} added, ~${f.modified} modified, -${f.removed} removed (${signedBytes(f.bytesDelta)})`;
  rows.push([
    'files',
    files +
      (f.timestampOnly ? `; ${f.timestampOnly} differ only in modification time` : '') +
      (f.contentUnknown ? `; ${f.contentUnknown} same-sized files not compared by content` : '') +
      (f.paths.length ? `; under ${f.paths.join(', ')}` : ''),
  ]);
  const p = c.packages;
  rows.push([
    'packages',
    !p.compared
      ? 'no package inventory in either image'
      : [
          p.added.length && `+${p.added.length} added`,
          p.upgraded.length && `${p.upgraded.length} upgraded`,
          p.downgraded.length && `${p.downgraded.length} downgraded`,
          p.changed.length && `${p.changed.length} changed`,
          p.removed.length && `-${p.removed.length} removed`,
        ]
          .filter(Boolean)
          .join(', ') || `no change (${p.unchanged})`,
  ]);
  const v = c.vulnerabilities;
  rows.push([
    'vulns',
    v.checked
      ? `${shown.fixed.length} fixed${countBySeverity(shown.fixed)}, ${shown.introduced.length} introduced${countBySeverity(shown.introduced)}, ${v.unchanged} unchanged`
      : 'not checked (no vulnerability database: layerlens db update)',
  ]);
  rows.push([
    'findings',
    `${shown.new.length} new${countBySeverity(shown.new)}, ${shown.resolved.length} resolved${countBySeverity(shown.resolved)}, ${c.findings.unchanged.length} unchanged`,
  ]);
  const names = configChangeNames(c.config);
  rows.push(['config', names.length ? names.join(', ') : 'no change']);
  const o = c.sizes.old;
  const n = c.sizes.new;
  const stored =
    o.compressed !== null && n.compressed !== null
      ? `; stored ${formatBytes(o.compressed)} → ${formatBytes(n.compressed)} (${signedBytes(n.compressed - o.compressed)})`
      : '';
  rows.push([
    'size',
    `${formatBytes(o.uncompressed)} → ${formatBytes(n.uncompressed)} uncompressed (${signedBytes(n.uncompressed - o.uncompressed)})${stored}; wasted ${formatBytes(o.wasted)} → ${formatBytes(n.wasted)}`,
  ]);
  return rows;
}

/** The file changes by the directory that holds them (the order of `entries` kept). */
export function byDirectory(entries: FileChange[]): Map<string, FileChange[]> {
  const m = new Map<string, FileChange[]>();
  for (const e of entries) {
    const d = dirname(e.path);
    const l = m.get(d);
    if (l) l.push(e);
    else m.set(d, [e]);
  }
  return m;
}
