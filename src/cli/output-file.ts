/**
 * Files the user names with --output / --sbom (and extract -o): checked before the image is read (a long
 * pull must not end in "cannot write"), then written atomically.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LayerlensError } from '../errors/index.js';
import { batches } from '../text/pieces.js';

/**
 * Throws a one-line usage error when `file` cannot be written: a directory or other non-file
 * there, no such directory, or no write permission in it.
 */
export async function checkOutputFile(file: string, flag: string): Promise<void> {
  const abs = path.resolve(file);
  await refuseNonFile(abs, `${flag} ${file}`);
  const dir = path.dirname(abs);
  const dirSt = await fsp.stat(dir).catch(() => undefined);
  if (!dirSt) throw new LayerlensError(`${flag} ${file}: no such directory ${dir}`, 'USAGE');
  if (!dirSt.isDirectory()) throw new LayerlensError(`${flag} ${file}: ${dir} is not a directory`, 'USAGE');
  // (A temporary file is made in the directory, then renamed over the file.)
  await fsp.access(dir, fsConstants.W_OK).catch(() => {
    throw new LayerlensError(`${flag} ${file}: cannot write in ${dir} (permission denied)`, 'USAGE');
  });
}

/** What a failed write of a report means, by error code (ENOENT: said with the directory). */
const WRITE_ERRORS: Record<string, string | undefined> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};

/**
 * Write `data` to `file` atomically: a temporary file in the same directory, then rename, so a
 * reader never sees half a report and a failure leaves the previous file intact. Only the path the
 * user named is ever replaced.
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await writeAtomic(file, (tmp) => fsp.writeFile(tmp, data, { flag: 'wx', mode: 0o644 }));
}

/** writeFileAtomic for text made in pieces (a report too large for one string), in ~64 KiB writes. */
export async function writePiecesAtomic(file: string, pieces: Iterable<string>): Promise<void> {
  await writeAtomic(file, async (tmp) => {
    const fh = await fsp.open(tmp, 'wx', 0o644);
    try {
      for (const batch of batches(pieces)) await fh.write(batch);
    } finally {
      await fh.close();
    }
  });
}

/**
 * The same for content written by `fill` to the temporary path it is given (which it must create,
 * exclusively, with the mode it wants); the temporary file is removed if `fill` fails.
 */
export async function writeAtomic(file: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const abs = path.resolve(file);
  // (Again at write time: the report may be written long after checkOutputFile.)
  await refuseNonFile(abs, file);
  const dir = path.dirname(abs);
  const tmp = path.join(dir, `.${path.basename(abs)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fill(tmp);
    await fsp.rename(tmp, abs);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    // Said of the file the user named, not of the temporary one.
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `no such directory ${dir}` : WRITE_ERRORS[code ?? ''];
    if (why) throw new LayerlensError(`cannot write ${file}: ${why}`, 'IO');
    throw err;
  }
}

/** Refuses what is at `abs` unless it is a regular file or nothing (`label` names it). */
async function refuseNonFile(abs: string, label: string): Promise<void> {
  const st = await fsp.stat(abs).catch(() => undefined);
  if (st?.isDirectory()) throw new LayerlensError(`${label}: is a directory`, 'USAGE');
  if (st && !st.isFile()) throw new LayerlensError(`${label}: not a regular file`, 'USAGE');
}
