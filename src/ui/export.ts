/**
 * Export the findings shown in the explorer to a file the user names (JSON, SARIF or Markdown).
 * The report writers in src/report are used when this build has them; otherwise JSON is written
 * here in the documented shape (schemaVersion 1) and SARIF/Markdown say they are unavailable.
 * Never overwrites without the caller's explicit `overwrite`.
 */
import { promises as fsp } from 'node:fs';
import type { ImageMeta } from '../engine/types.js';
import { LayerlensError } from '../engine/types.js';
import type { Finding } from '../findings/types.js';
import { exists } from './extract.js';

export type ExportFormat = 'json' | 'sarif' | 'markdown';
export const EXPORT_EXT: Record<ExportFormat, string> = { json: 'json', sarif: 'sarif', markdown: 'md' };

export interface ReportInput {
  meta?: ImageMeta;
  findings: Finding[];
}

type Writer = (input: ReportInput) => string;

// Optional writers from src/report, looked up by module and export name.
const WRITER_MODULES: Record<ExportFormat, { module: string; names: string[] }> = {
  json: { module: '../report/json.js', names: ['renderJson'] },
  sarif: { module: '../report/sarif.js', names: ['renderSarif'] },
  markdown: { module: '../report/markdown.js', names: ['renderMarkdown'] },
};

async function reportWriter(format: ExportFormat): Promise<Writer | undefined> {
  const spec = WRITER_MODULES[format];
  try {
    const mod = (await import(spec.module)) as Record<string, unknown>;
    for (const n of spec.names) if (typeof mod[n] === 'function') return mod[n] as Writer;
  } catch {
    /* not in this build */
  }
  return undefined;
}

/** The JSON report, written here when src/report has no writer. */
export function fallbackJson(input: ReportInput): string {
  const m = input.meta;
  return (
    JSON.stringify(
      {
        schemaVersion: 1,
        tool: { name: 'layerlens' },
        image: m ? { reference: m.reference, digest: m.digest ?? null, platform: m.platform ?? null, layers: m.layers.length } : null,
        findings: input.findings,
      },
      null,
      2,
    ) + '\n'
  );
}

export async function renderReport(format: ExportFormat, input: ReportInput): Promise<string> {
  const w = await reportWriter(format);
  if (w) return w(input);
  if (format === 'json') return fallbackJson(input);
  throw new LayerlensError(`${format} export is not available in this build (try JSON)`, 'UNAVAILABLE');
}

export async function writeReport(format: ExportFormat, input: ReportInput, target: string, overwrite: boolean): Promise<number> {
  if (!overwrite && (await exists(target))) throw new LayerlensError(`${target} exists`, 'EXISTS');
  const text = await renderReport(format, input);
  try {
    await fsp.writeFile(target, text, { flag: overwrite ? 'w' : 'wx', mode: 0o644 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EEXIST') throw new LayerlensError(`${target} exists`, 'EXISTS');
    throw new LayerlensError(`cannot write ${target}: ${e.message}`, 'WRITE');
  }
  return Buffer.byteLength(text);
}
