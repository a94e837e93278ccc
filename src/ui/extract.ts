/**
 * Extracting one file from an image to the user's disk: a safe default name, a path the user
 * confirms, never an overwrite without asking, private permissions (never setuid), and the bytes
 * streamed from the layer that holds them.
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ImageModel } from '../engine/image.js';
import { LayerlensError, writeFailure } from '../errors/index.js';
import { copyLayerFile } from '../engine/layer-file.js';

/** A file name safe on any disk: the base name, odd characters replaced, no leading dots. */
export function safeFileName(inImagePath: string): string {
  const base = inImagePath.split('/').filter(Boolean).pop() ?? '';
  let name = base.replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^\.+/, '');
  if (name === '' || /^_+$/.test(name)) name = 'extracted-file';
  return name.slice(0, 200);
}

/** Where `input` (as typed) points: relative to `cwd`; a directory gets the safe name appended. */
export async function resolveTarget(input: string, inImagePath: string, cwd: string): Promise<string> {
  const typed = input.trim() === '' ? safeFileName(inImagePath) : input.trim();
  const abs = path.resolve(cwd, typed.replace(/^~(?=$|\/)/, process.env.HOME ?? '~'));
  try {
    if ((await fsp.stat(abs)).isDirectory()) return path.join(abs, safeFileName(inImagePath));
  } catch {
    /* does not exist: a file path */
  }
  return abs;
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Write the file. Without `overwrite` an existing target fails with code EXISTS (the caller asks
 * first). The file is created 0600: it may hold a secret.
 */
export async function extractFile(
  model: ImageModel,
  layer: number,
  inImagePath: string,
  target: string,
  overwrite: boolean,
): Promise<number> {
  if (!overwrite && (await exists(target))) throw new LayerlensError(`${target} exists`, 'EXISTS');
  let out;
  try {
    out = createWriteStream(target, { flags: overwrite ? 'w' : 'wx', mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      out!.once('open', () => resolve());
      out!.once('error', reject);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new LayerlensError(`${target} exists`, 'EXISTS');
    throw writeFailure(err, target, path.dirname(target));
  }
  try {
    const n = await copyLayerFile(model, layer, inImagePath, out);
    await new Promise<void>((resolve, reject) => out!.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return n;
  } catch (err) {
    out.destroy();
    await fsp.rm(target, { force: true });
    // A read error of the layer is a LayerlensError already; anything else is the write failing.
    throw err instanceof LayerlensError ? err : writeFailure(err, target, path.dirname(target));
  }
}
