/**
 * A test image with more paths than three steps of a walk over the tree (findings/content.ts
 * INDEX_STEP): layer 1 adds them and a private key (`key`: a generated fake), layer 2 rewrites most
 * of them (a history for each), deletes some and the key. For the checks run in steps.
 */
import { INDEX_STEP } from '../../src/findings/content.js';
import type { TestImage } from './findings-image.js';

export const MANY_PATHS = 3 * INDEX_STEP + 500;

export function manyPaths(key: string): TestImage {
  const files = Array.from({ length: MANY_PATHS }, (_, i) => ({
    name: `opt/data/d${i % 40}/f${i}.txt`,
    content: `v1 ${i}\n`,
  }));
  return {
    layers: [
      { entries: [{ name: 'bin/sh', content: '#!fake shell\n', mode: 0o755 }] },
      { entries: [...files, { name: 'root/.ssh/id_rsa', content: key, mode: 0o600 }], createdBy: 'COPY . /' },
      {
        entries: [
          ...files.filter((_, i) => i % 5 !== 0).map((e, i) => ({ name: e.name, content: `v2 ${i} longer\n` })),
          ...files
            .filter((_, i) => i % 10 === 0)
            .map((e) => ({ name: e.name.replace(/f(\d+)/, '.wh.f$1'), content: '' })),
          { name: 'root/.ssh/.wh.id_rsa', content: '' },
        ],
        createdBy: 'RUN update && rm /root/.ssh/id_rsa',
      },
    ],
  };
}
