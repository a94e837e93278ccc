/**
 * Drive the real CLI in a real terminal: tmux on a private socket, keys with send-keys, the
 * screen with capture-pane. Each test gets its own session; the server is killed at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOCKET = `layerlens-test-${process.pid}`;

export function tmuxMissing(): string | undefined {
  const r = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'tmux is not installed';
}

export function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

export function killServer(): void {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
}

/** The CLI as a shell command (TypeScript sources through tsx: no build needed). */
export function cli(args: string): string {
  return `node --import tsx ${JSON.stringify(path.join(REPO, 'src/cli/main.ts'))} ${args}`;
}

export class Pane {
  constructor(readonly name: string) {}

  /** Start `command` (a shell line) in a new session of the given size. */
  static start(name: string, dir: string, command: string, width = 160, height = 45): Pane {
    const script = path.join(dir, `${name}.sh`);
    // CI=… makes Ink print nothing until exit; the explorer must behave as in a user's terminal.
    writeFileSync(
      script,
      `cd ${JSON.stringify(REPO)}\nunset CI\nexport TERM=xterm-256color\n${command}\necho "__EXIT=$?"\nsleep 120\n`,
    );
    // When the previous test's last session has just closed, its server is still exiting and a new
    // session on the same socket fails with "server exited unexpectedly": wait a moment and retry.
    for (let attempt = 1; ; attempt++) {
      try {
        tmux(
          'new-session',
          '-d',
          '-s',
          name,
          '-x',
          String(width),
          '-y',
          String(height),
          `bash ${JSON.stringify(script)}`,
        );
        return new Pane(name);
      } catch (err) {
        if (attempt >= 5 || !/server exited unexpectedly/.test(String((err as Error).message))) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200 * attempt);
      }
    }
  }

  screen(): string {
    return tmux('capture-pane', '-p', '-t', this.name);
  }

  /** Screen with colours (SGR) as tmux re-encodes it. */
  ansi(): string {
    return tmux('capture-pane', '-e', '-p', '-t', this.name);
  }

  title(): string {
    return tmux('display-message', '-p', '-t', this.name, '#{pane_title}').trim();
  }

  setTitle(t: string): void {
    tmux('select-pane', '-t', this.name, '-T', t);
  }

  keys(...keys: string[]): void {
    tmux('send-keys', '-t', this.name, ...keys);
  }

  async waitFor(re: RegExp, ms = 30_000): Promise<string> {
    const end = Date.now() + ms;
    let last = '';
    while (Date.now() < end) {
      last = this.screen();
      if (re.test(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${re} in pane ${this.name}; screen:\n${last}`);
  }

  /** Send keys and wait a little for the frame. */
  async press(...keys: string[]): Promise<string> {
    this.keys(...keys);
    await new Promise((r) => setTimeout(r, 250));
    return this.screen();
  }

  kill(): void {
    spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', this.name]);
  }
}
