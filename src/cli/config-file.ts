/**
 * The small settings files `scan` and `diff` read: the ignore file (`.layerlensignore`,
 * --ignore-file) and dive's gate (`.dive-ci`, --ci-config).
 *
 * They are input too. The ones found in the working directory come with the repository being
 * built, and in CI that may be anyone's pull request: such a file that is a link to a file
 * outside the directory (`/proc/self/environ`, a mounted secret) is not followed, or its first
 * words would be printed in an error or warning in the job's log. Every one of them, named or
 * found, must be a regular file (a FIFO would hang the command, a device would never end) of at
 * most CONFIG_FILE_MAX bytes.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { LayerlensError } from '../errors/index.js';
import { formatBytes } from '../text/bytes.js';
import { NotARegularFile, readRegularFile } from '../text/regular-file.js';
import { errorMessage } from './errors.js';

/** Ignore files and `.dive-ci` files are a few lines; 1 MiB is far past any real one. */
export const CONFIG_FILE_MAX = 1 << 20;

export interface ConfigFileOptions {
  /** Named on the command line (followed wherever it leads), or found in the working directory. */
  named: boolean;
  /** The option that names it, for messages (`--ignore-file`). */
  option: string;
}

/**
 * The text of `file`; undefined when a file that was only looked for is not there. Any other
 * problem is one usage line (exit 2).
 */
export async function readConfigFile(file: string, o: ConfigFileOptions): Promise<string | undefined> {
  const refuse = (why: string) => new LayerlensError(`${o.named ? `${o.option} ` : ''}${file}: ${why}`, 'USAGE');
  // (A found file is a name in the working directory: only a link can lead out of it.)
  if (!o.named && !insideWorkingDirectory(file)) {
    throw refuse(`a link to a file outside this directory: not followed (name the file with ${o.option} to read it)`);
  }
  try {
    return readRegularFile(file, CONFIG_FILE_MAX).toString('utf8');
  } catch (err) {
    if (err instanceof NotARegularFile)
      throw refuse(
        err.why === 'not-regular'
          ? 'not a regular file'
          : `larger than ${formatBytes(CONFIG_FILE_MAX)}: not a settings file`,
      );
    if (!o.named && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw refuse(`cannot read it (${errorMessage(err)})`);
  }
}

/** Whether `file` resolves to a path inside the working directory. */
function insideWorkingDirectory(file: string): boolean {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    // Missing, or a dangling link: opening it says so.
    return true;
  }
  return real.startsWith(realpathSync(process.cwd()) + path.sep);
}
