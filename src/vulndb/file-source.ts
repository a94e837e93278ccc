/**
 * An OSV archive file as a ByteSource: read whole when small, else with positioned reads (OSV's
 * npm archive is hundreds of MB, and readFileSync refuses a file over 2 GiB outright).
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { bufferSource, type ByteSource } from '../text/zip.js';

export function fileSource(path: string): { src: ByteSource; close: () => void } {
  const size = statSync(path).size;
  if (size < 64 << 20) {
    const buf = readFileSync(path);
    return { src: bufferSource(buf), close: () => {} };
  }
  const fd = openSync(path, 'r');
  return {
    src: {
      size,
      read(p, n) {
        const b = Buffer.alloc(Math.max(0, Math.min(n, size - p)));
        let got = 0;
        while (got < b.length) {
          const r = readSync(fd, b, got, b.length - got, p + got);
          if (r === 0) break;
          got += r;
        }
        return b.subarray(0, got);
      },
    },
    close: () => closeSync(fd),
  };
}
