/** The benches' OCI layouts with gzip layers (as a registry serves an image), made once per archive with skopeo. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `.bench-data/NAME-SIZE-MTIME`, an OCI layout of the `docker save` archive; undefined without skopeo. */
export function gzipLayout(archive: string, name: string): string | undefined {
  const st = statSync(archive);
  const dir = fileURLToPath(new URL(`../.bench-data/${name}-${st.size}-${Math.floor(st.mtimeMs)}`, import.meta.url));
  if (existsSync(join(dir, 'index.json'))) return dir;
  // (skopeo makes the layout's directory, not its parents.)
  mkdirSync(dirname(dir), { recursive: true });
  const r = spawnSync(
    'skopeo',
    [
      'copy',
      '--quiet',
      '--dest-compress',
      '--dest-compress-format',
      'gzip',
      `docker-archive:${archive}`,
      `oci:${dir}:latest`,
    ],
    { encoding: 'utf8' },
  );
  return r.error || r.status !== 0 ? undefined : dir;
}
