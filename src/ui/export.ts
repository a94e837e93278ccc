/**
 * Export the findings shown in the explorer to a file the user names (JSON, SARIF or Markdown),
 * written by the same report writers as `layerlens scan`. Never overwrites without the caller's
 * explicit `overwrite`.
 */
import { promises as fsp } from 'node:fs';
import type { ImageMeta } from '../engine/types.js';
import path from 'node:path';
import { LayerlensError, writeFailure } from '../errors/index.js';
import type { Finding } from '../findings/types.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { exists } from './extract.js';

export type ExportFormat = 'json' | 'sarif' | 'markdown';
export const EXPORT_EXT: Record<ExportFormat, string> = { json: 'json', sarif: 'sarif', markdown: 'md' };

export interface ReportInput {
  meta?: ImageMeta;
  findings: Finding[];
}

const WRITERS: Record<ExportFormat, (input: ReportInput) => string> = {
  json: renderJson,
  sarif: renderSarif,
  markdown: renderMarkdown,
};

export function renderReport(format: ExportFormat, input: ReportInput): string {
  return WRITERS[format](input);
}

export async function writeReport(
  format: ExportFormat,
  input: ReportInput,
  target: string,
  overwrite: boolean,
): Promise<number> {
  if (!overwrite && (await exists(target))) throw new LayerlensError(`${target} exists`, 'EXISTS');
  const text = renderReport(format, input);
  try {
    await fsp.writeFile(target, text, { flag: overwrite ? 'w' : 'wx', mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LayerlensError(`${target} exists`, 'EXISTS');
    throw writeFailure(err, target, path.dirname(target));
  }
  return Buffer.byteLength(text);
}
