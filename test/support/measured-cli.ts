/**
 * The CLI run as hostile-cli.ts runs it (private HOME, no daemon, peak RSS reported by the child),
 * with its output as text: the shape the registry tests read (`code`, `stdout` as a string).
 */
import { type CliOptions, runCli } from './hostile-cli.js';

export interface Measured {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak RSS of the child in MiB (undefined when it was killed). */
  rssMb?: number;
  killed: boolean;
}

export async function runMeasured(args: string[], o: CliOptions = {}): Promise<Measured> {
  const { status, stdout, ...rest } = await runCli(args, o);
  return { code: status, stdout: stdout.toString('utf8'), ...rest };
}
