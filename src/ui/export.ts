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
import { imageOrEmpty, jsonReportPieces } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { sarifPieces } from '../report/sarif.js';
import { batches } from '../text/pieces.js';
import { exists } from './extract.js';

export type ExportFormat = 'json' | 'sarif' | 'markdown';
export const EXPORT_EXT: Record<ExportFormat, string> = { json: 'json', sarif: 'sarif', markdown: 'md' };

export interface ReportInput {
  meta?: ImageMeta;
  findings: Finding[];
}

/** The report as pieces of text (JSON and SARIF: more findings than one string holds, text/pieces.ts). */
const WRITERS: Record<ExportFormat, (input: ReportInput) => Iterable<string>> = {
  json: (input) => jsonReportPieces(input.findings, imageOrEmpty(input.meta)),
  sarif: (input) => sarifPieces(input.findings, imageOrEmpty(input.meta)),
  markdown: (input) => [renderMarkdown(input)],
};

export async function writeReport(
  format: ExportFormat,
  input: ReportInput,
  target: string,
  overwrite: boolean,
): Promise<number> {
  if (!overwrite && (await exists(target))) throw new LayerlensError(`${target} exists`, 'EXISTS');
  let bytes = 0;
  try {
    const fh = await fsp.open(target, overwrite ? 'w' : 'wx', 0o644);
    try {
      for (const batch of batches(WRITERS[format](input))) bytes += (await fh.write(batch)).bytesWritten;
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LayerlensError(`${target} exists`, 'EXISTS');
    throw writeFailure(err, target, path.dirname(target));
  }
  return bytes;
}
