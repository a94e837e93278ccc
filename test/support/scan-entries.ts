/**
 * `layerlens scan` through the CLI of an image made of these entries (real tars in an OCI layout), without a vulnerability database, killed when it runs past a minute: for the
 * hostile-input tests of what the checks read from files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TarSpec } from '../../src/engine/build-tar.js';
import { runCli } from './hostile-cli.js';
import { type LayerInput, memoryImage } from './image.js';
import { writeOciLayout } from './oci-layout.js';

export interface Scanned {
  /** Wall time of the CLI, start-up included. */
  ms: number;
  /** Its output, parsed (every format asked for here is JSON). */
  out: Record<string, unknown>;
}

/**
 * `scan --format FORMAT` (json, cyclonedx) of the image: one layer of these entries, or these
 * layers. Asserts it ended on its own with status 0.
 */
export async function scanEntries(
  entries: TarSpec[] | LayerInput[],
  format = 'json',
  env?: NodeJS.ProcessEnv,
): Promise<Scanned> {
  const dir = mkdtempSync(join(tmpdir(), 'layerlens-scan-entries-'));
  try {
    const layers = entries.every((e) => 'entries' in e)
      ? (entries as LayerInput[])
      : [{ entries: entries as TarSpec[], createdBy: 'COPY . /' }];
    const { meta, blobs } = await memoryImage(layers);
    const image = join(dir, 'image');
    await writeOciLayout(image, meta, blobs);
    const r = await runCli(['scan', image, '--format', format, '--db', join(dir, 'no-db')], {
      killAfterMs: 60_000,
      env,
    });
    assert.equal(r.killed, false, `scan still running after ${Math.round(r.ms)} ms`);
    assert.equal(r.status, 0, r.stderr);
    return { ms: r.ms, out: JSON.parse(r.stdout.toString()) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The findings of `scan --format json`. */
export async function scanFindings(
  entries: TarSpec[] | LayerInput[],
): Promise<Array<{ ruleId: string; message: string }>> {
  return (await scanEntries(entries)).out.findings as Array<{ ruleId: string; message: string }>;
}

/** The purls of the packages the image's CycloneDX SBOM lists, and the scan's wall time. */
export async function scanPurls(entries: TarSpec[]): Promise<{ ms: number; purls: string[] }> {
  const { ms, out } = await scanEntries(entries, 'cyclonedx');
  return { ms, purls: (out.components as Array<{ purl?: string }>).flatMap((c) => (c.purl ? [c.purl] : [])) };
}
