/** Archives from a file or stdin. */
import type { ImageReader } from '../../engine/types.js';
import { openArchiveFile, type ArchiveOptions } from './file.js';
import { openArchiveStream } from './stream.js';

export { openArchiveFile, seekableReader, type ArchiveOptions } from './file.js';
export { openArchiveStream, type StreamOptions, type StreamReader } from './stream.js';

/** `-` is stdin (one pass); anything else a file. */
export async function openArchive(
  pathOrDash: string,
  opts: ArchiveOptions,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<ImageReader> {
  if (pathOrDash === '-') return openArchiveStream(stdin, { ...opts, label: 'stdin', source: 'archive' });
  return openArchiveFile(pathOrDash, opts);
}
