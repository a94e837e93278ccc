/**
 * Docker's client configuration directory ($DOCKER_CONFIG or ~/.docker), shared by the daemon
 * source (contexts) and the registry source (credentials), and reading its JSON files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function dockerConfigDir(env: NodeJS.ProcessEnv, home: string): string {
  return env.DOCKER_CONFIG || path.join(home, '.docker');
}

/**
 * A JSON file's content: `undefined` when it cannot be read (missing, unreadable), `'invalid'`
 * when it is not JSON — each caller decides whether that is an error or a warning.
 */
export function readJsonFile(file: string): unknown | 'invalid' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return 'invalid';
  }
}
