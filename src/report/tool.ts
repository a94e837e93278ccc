/** Name and version of layerlens as reports state them. */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function toolVersion(): string {
  if (cached) return cached;
  // src/report/tool.ts and dist/report/tool.js are both two levels below the package root.
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'layerlens' && pkg.version) return (cached = pkg.version);
    } catch {
      /* try the next */
    }
  }
  return (cached = '0.0.0');
}

export const TOOL_NAME = 'layerlens';
