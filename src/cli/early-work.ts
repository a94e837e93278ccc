/**
 * Which worker threads the CLI starts before its modules load, guessed from the raw arguments
 * (launch.ts starts them, early-start.ts from the sources). A guess is enough: a worker started
 * for nothing costs its boot on the other core and exits with us; one started late delays the
 * first layer.
 */
import { existsSync, statSync } from 'node:fs';
import { STREAM_HASH_THREAD } from '../engine/stream-hash-thread-url.js';
import { startEarly } from '../engine/worker-thread.js';
import { DEFAULT_DOCKER_SOCKET } from '../sources/docker/endpoint.js';
import { FILE_HASH_THREAD } from '../sources/file-hash-thread-url.js';
import { transportOf } from '../sources/options.js';
import { FETCH_THREAD } from '../sources/registry/fetch-thread-url.js';

export interface EarlyWork {
  /** The thread that hashes decompressed layers (engine/stream-hash.ts): any command that reads an image. */
  streamHash: boolean;
  /**
   * The thread that hashes uncompressed layers from a file (sources/file-hash-worker.ts): an
   * archive (`docker save` writes its layers uncompressed). Not for an OCI layout directory, whose
   * layers are nearly always gzip (hashed as they inflate, on the stream-hashing thread): booting
   * it there took ~3% of a `scan` of the realistic Debian image's layout, on the core the main
   * thread was loading on (docs/performance.md, sixth session of 2026-12-07). A layout's
   * uncompressed layer still gets it, started on first use.
   */
  fileHash: boolean;
  /**
   * The thread that downloads blobs (sources/registry/fetch-worker.ts): an image only a registry
   * can have. (No gain measured in the CLI, whose module loading already gives the thread its
   * start when the registry source starts it: docs/performance.md, second session of 2026-12-06.)
   */
  fetch: boolean;
}

/**
 * Start the threads `args` are guessed to want (engine/worker-thread.ts `startEarly`: their owners
 * take them over on first use). Called by the launcher before the CLI's script is compiled, and by
 * the CLI's first modules (early-start.ts), where a thread the launcher started is not started
 * again: from the sources, there is no launcher.
 */
export function startEarlyWork(args: readonly string[]): void {
  const work = earlyWork(args, thisMachine());
  for (const [wanted, thread] of [
    [work.streamHash, STREAM_HASH_THREAD],
    [work.fileHash, FILE_HASH_THREAD],
    [work.fetch, FETCH_THREAD],
  ] as const)
    if (wanted) startEarly(thread);
}

/** What the machine has, as the guess asks it (tests give their own). */
export interface EarlyEnv {
  exists: (path: string) => boolean;
  isDirectory: (path: string) => boolean;
  env: Record<string, string | undefined>;
}

/** This machine, as the guess asks it (neither function throws). */
export function thisMachine(): EarlyEnv {
  const isDirectory = (path: string): boolean => {
    try {
      return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
    } catch {
      return false;
    }
  };
  return { exists: existsSync, isDirectory, env: process.env };
}

const NO_IMAGE = ['registry', 'db', 'help'];

/** A skopeo-style name of an archive (`docker-archive:`, `oci-archive:`). */
function namesArchive(a: string): boolean {
  const t = transportOf(a);
  return !!t && t.source === 'archive' && t.rest.length > 0;
}
const READS_IMAGES = ['explore', 'inspect', 'scan', 'extract', 'diff', 'shared'];

/**
 * The words that can name an image: neither an option nor the word right after one written
 * without `=` (its value, as `-o report.json`: an existing report is not an archive to read, nor
 * a sign that the image is local). Where that leaves no word after the command, the word after a
 * flag was the image (`inspect --json app.tar`: a boolean flag), and every word counts as before.
 * A lone `-` (standard input) is a word, and so is a command's name after a flag (`--debug db
 * update`).
 */
const isCommand = (w: string): boolean => READS_IMAGES.includes(w) || NO_IMAGE.includes(w);

function imageWords(args: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return words.concat(args.slice(i + 1));
    if (a === '-' || !a.startsWith('-')) words.push(a);
    else if (!a.includes('=') && i + 1 < args.length && !args[i + 1].startsWith('-') && !isCommand(args[i + 1])) i++;
  }
  const afterCommand = READS_IMAGES.includes(words[0]) ? words.length - 1 : words.length;
  return afterCommand > 0 ? words : args.filter((a) => a === '-' || !a.startsWith('-'));
}

export function earlyWork(args: readonly string[], { exists, isDirectory, env }: EarlyEnv): EarlyWork {
  const words = imageWords(args);
  const readsImage =
    words.length > 0 && !NO_IMAGE.includes(words[0]) && !args.includes('--demo') && !args.includes('--help');
  return {
    streamHash: readsImage,
    fileHash:
      words[0] !== 'registry' &&
      words.some((a) => namesArchive(a) || (a.length > 0 && !transportOf(a) && exists(a) && !isDirectory(a))),
    fetch: readsImage && registryOnly(args, words, exists, env),
  };
}

/**
 * The image can only be read from a registry: `--source registry`, `docker://REF`, or a name
 * where no Docker daemon is configured. (Any word that names a path or another source makes it
 * no.)
 */
function registryOnly(
  args: readonly string[],
  words: readonly string[],
  exists: (path: string) => boolean,
  env: Record<string, string | undefined>,
): boolean {
  const named = READS_IMAGES.includes(words[0]) ? words.slice(1) : words;
  const source = args.find((a, i) => a.startsWith('--source=') || args[i - 1] === '--source');
  if (source !== undefined) return source === '--source=registry' || source === 'registry';
  if (named.some((a) => transportOf(a)?.source === 'registry')) return true;
  if (named.some((a) => a === '-' || transportOf(a) !== undefined || exists(a))) return false;
  // A name goes to the registry when no daemon is there to have it first (Podman's socket is not
  // looked for: an image it has started a download thread for nothing).
  return (
    env.DOCKER_HOST === undefined &&
    env.DOCKER_CONTEXT === undefined &&
    !exists(DEFAULT_DOCKER_SOCKET) &&
    named.some((a) => /^[a-z0-9][\w./:@-]*$/i.test(a))
  );
}
