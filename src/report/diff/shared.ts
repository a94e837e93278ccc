/**
 * `layerlens shared IMG…` (and `diff` with more than two images): the layers and bytes several
 * images share, per image and in total, as a table, JSON (`report: "shared"`, docs/reports.md)
 * or Markdown.
 */
import { formatBytes } from '../../text/bytes.js';
import type { SharedReport } from '../../findings/compare/shared.js';
import { SCHEMA_VERSION } from '../json.js';
import { escapeText, mdCode, mdText, shortDigest } from '../text.js';
import { TOOL_NAME, toolVersion } from '../tool.js';
import { safeJson } from '../../text/safe-json.js';

/** What the sizes count: stored blobs (from the metadata) or uncompressed layers (read). */
export type SharedSizes = 'stored' | 'uncompressed';

const MAX_LAYERS = 30;

const pct = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(0)}%` : '0%');

export function sharedJsonDocument(r: SharedReport, sizes: SharedSizes) {
  return {
    schemaVersion: SCHEMA_VERSION,
    report: 'shared',
    tool: { name: TOOL_NAME, version: toolVersion() },
    sizes,
    ...r,
  };
}

export function toSharedJson(r: SharedReport, sizes: SharedSizes): string {
  return safeJson(sharedJsonDocument(r, sizes)) + '\n';
}

function totals(r: SharedReport, sizes: SharedSizes): string[] {
  const t = r.total;
  return [
    `${t.images} images, ${t.layers} layers listed (${formatBytes(t.bytes)}${sizes === 'stored' ? ' as stored' : ' uncompressed'})`,
    `${t.distinctLayers} distinct layers by content (diffID): ${formatBytes(t.distinctBytes)} stored once, ${formatBytes(t.bytes - t.distinctBytes)} (${pct(t.bytes - t.distinctBytes, t.bytes)}) shared`,
    `${t.chainLayers} distinct layer stacks (as a node stores them): ${formatBytes(t.chainBytes)}`,
  ];
}

export function toSharedTable(r: SharedReport, sizes: SharedSizes): string {
  const out: string[] = ['layerlens shared', ''];
  const refW = Math.max(5, ...r.images.map((i) => [...escapeText(i.reference)].length));
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));
  const lpad = (s: string, n: number) => ' '.repeat(Math.max(0, n - s.length)) + s;
  out.push(
    `${pad('IMAGE', refW)}  ${lpad('LAYERS', 6)}  ${lpad('SIZE', 10)}  ${lpad('SHARED', 6)}  ${lpad('SHARED BYTES', 12)}  ${lpad('OWN BYTES', 10)}  BASE`,
  );
  for (const i of r.images) {
    out.push(
      `${pad(escapeText(i.reference), refW)}  ${lpad(String(i.layers), 6)}  ${lpad(formatBytes(i.bytes), 10)}  ${lpad(String(i.sharedLayers), 6)}  ${lpad(formatBytes(i.sharedBytes), 12)}  ${lpad(formatBytes(i.bytes - i.sharedBytes), 10)}  ${i.sharedPrefix ? `first ${i.sharedPrefix} shared` : '-'}`,
    );
  }
  out.push('', ...totals(r, sizes));
  if (r.layers.length) {
    out.push('', 'Shared layers (largest first)');
    for (const l of r.layers.slice(0, MAX_LAYERS))
      out.push(
        `  ${shortDigest(l.diffId)}  ${lpad(formatBytes(l.size ?? 0), 10)}  in ${l.images.length} images (${l.images.map((k) => k + 1).join(', ')})  ${escapeText(l.createdBy ?? '')}`,
      );
    if (r.layers.length > MAX_LAYERS) out.push(`  … ${r.layers.length - MAX_LAYERS} more (--format json lists them)`);
  }
  return out.join('\n') + '\n';
}

export function toSharedMarkdown(r: SharedReport, sizes: SharedSizes): string {
  const out: string[] = ['# layerlens shared', ''];
  out.push('| Image | Layers | Size | Shared layers | Shared bytes | Own bytes |', '|---|---:|---:|---:|---:|---:|');
  for (const i of r.images)
    out.push(
      `| ${mdCode(i.reference)} | ${i.layers} | ${formatBytes(i.bytes)} | ${i.sharedLayers} | ${formatBytes(i.sharedBytes)} | ${formatBytes(i.bytes - i.sharedBytes)} |`,
    );
  out.push('', ...totals(r, sizes).map((l) => `- ${mdText(l)}`), '');
  if (r.layers.length) {
    out.push('## Shared layers', '', '| diffID | Size | Images | Step |', '|---|---:|---|---|');
    for (const l of r.layers.slice(0, MAX_LAYERS))
      out.push(
        `| ${mdCode(shortDigest(l.diffId))} | ${formatBytes(l.size ?? 0)} | ${l.images.map((k) => k + 1).join(', ')} | ${l.createdBy ? mdCode(l.createdBy) : '-'} |`,
      );
    out.push('');
  }
  return out.join('\n');
}
