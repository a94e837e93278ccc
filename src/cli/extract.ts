/**
 * `layerlens extract IMAGE PATH [--layer N] [-o FILE]`: one file's bytes as a layer holds them,
 * for scripts and for proving a finding ("deleted in layer 4, still recoverable from layer 3").
 * Nothing is written unless asked: stdout only when it is not a terminal (a file's bytes may hold
 * escape sequences), or the file named with -o (mode 0600: it may hold a secret; never setuid).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { posix } from 'node:path';
import type { Writable } from 'node:stream';
import type { ContentInspector } from '../engine/parse-layer.js';
import { splitPath } from '../engine/paths.js';
import { LayerlensError } from '../errors/index.js';
import type { Version } from '../engine/types.js';
import type { ImageModel } from '../engine/image.js';
import { copyLayerFile, locateContent, type FileLocation } from '../engine/layer-file.js';
import { safeText } from '../text/safe-text.js';
import { checkOutputFile, writeAtomic } from './output-file.js';
import { isClosedOutput, outputClosed } from './stdout.js';
import { parseCommandArgs } from './parse.js';
import { withTransport } from '../sources/options.js';
import { SOURCE_OPTION_SPEC, SOURCE_OPTIONS_HELP, sourceOptionsFrom } from './source-options.js';
import { openDemo, openReader, startLoad } from './wiring.js';
import { sameVersion } from '../engine/version-store.js';

const USAGE = 'layerlens extract IMAGE PATH [--layer N [--entry K]] [-o FILE] [source options]';

const HELP = `Usage: ${USAGE}

Writes one regular file of the image, byte for byte. By default the file as the image ships it;
a file that a later layer deleted or replaced is taken from the last layer that added it: it is
still in that layer, and this is how to recover it.

  --layer N          the file as layer N holds it (0-based filesystem layers, as inspect and
                     scan number them); in a layer that deletes it, the version it deletes
  --entry K          with --layer: the copy at tar entry K of that layer, one the same layer
                     replaced or removed (a finding on such a copy gives its layer and entry)
  -o, --output FILE  write to FILE (created 0600, replaced if it exists) instead of stdout;
                     stdout is used only when it is not a terminal
  --demo             the built-in demo image (then only PATH)
  -h, --help         this help

${SOURCE_OPTIONS_HELP}
`;

export async function runExtract(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      ...SOURCE_OPTION_SPEC,
      layer: { type: 'string' },
      entry: { type: 'string' },
      output: { type: 'string', short: 'o' },
      demo: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const want = values.demo ? 1 : 2;
  if (positionals.length !== want)
    throw new LayerlensError(
      `extract takes ${values.demo ? 'a path (with --demo)' : 'an image and a path'}, got ${positionals.length} argument(s) (usage: ${USAGE})`,
      'USAGE',
    );
  const inImage = positionals[want - 1];
  if (!inImage.startsWith('/'))
    throw new LayerlensError(`extract: the path in the image must be absolute (/${safeText(inImage)}?)`, 'USAGE');
  const layerArg = parseLayer(values.layer as string | undefined);
  const entryArg = parseEntry(values.entry as string | undefined);
  if (entryArg !== undefined && layerArg === undefined)
    throw new LayerlensError('--entry K goes with --layer N: the layer whose tar holds the entry', 'USAGE');
  const output = values.output as string | undefined;
  // Both decided before the image is read: a long pull must not end in "cannot write".
  if (output !== undefined) await checkOutputFile(output, '--output');
  else if (process.stdout.isTTY) {
    throw new LayerlensError(
      "extract: stdout is a terminal, and a file's bytes can hold escape sequences: use -o FILE or a pipe",
      'USAGE',
    );
  }

  const { input, opts } = withTransport(values.demo ? '' : positionals[0], await sourceOptionsFrom(values));
  const reader = values.demo ? await openDemo() : await openReader(input, opts);
  // The file's bytes are kept as the layers stream by (every version of it: which one is wanted
  // is known only when the tree is complete). A source read in one pass (a pipe, a compressed
  // archive) cannot be read again, and for the others this saves a second read of the layer.
  const { model, load } = await startLoad(reader, { withFindings: false, inspectContent: captureFile(inImage) });
  await load;

  const loc =
    entryArg === undefined ? chooseVersion(model, inImage, layerArg) : chooseCopy(model, inImage, layerArg!, entryArg);
  // (Worked out before the bytes go out, said after them: a failed extract prints one line only.)
  const note =
    entryArg === undefined
      ? provenance(model, inImage, loc, layerArg)
      : sameVersion(loc.version, model.tree.lookupPath(inImage)?.versionIn(loc.layer))
        ? undefined
        : model.tree.refusedCopies.some((r) => sameVersion(r.version, loc.version))
          ? `extracted entry ${entryArg} of layer ${loc.layer} (${safeText(inImage)}), which container runtimes refuse to unpack: it is in no file system, but the layer ships it`
          : `extracted the copy of ${safeText(inImage)} at entry ${entryArg} of layer ${loc.layer}, which a later entry of the same layer replaced: it is in no file system, but the layer ships it`;
  const n = output === undefined ? await toStdout(model, loc) : await toFile(model, loc, output);
  if (note) process.stderr.write(`layerlens: ${note}\n`);
  if (output !== undefined)
    process.stderr.write(
      `layerlens: wrote ${n} bytes of ${safeText(inImage)} (layer ${loc.layer}) to ${safeText(output)}\n`,
    );
  return 0;
}

function parseEntry(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text))
    throw new LayerlensError(`--entry "${safeText(text)}": use a tar entry number (0, 1, …)`, 'USAGE');
  return Number(text);
}

/**
 * The file written at tar entry `entry` of `layer`: the layer's own version of the path, or a copy
 * the same layer superseded (FileTree.inLayerCopies). Anything else is a one-line error that lists
 * the entries the layer holds for the path.
 */
function chooseCopy(model: ImageModel, inImage: string, layer: number, entry: number): FileLocation {
  const top = model.tree.layerCount - 1;
  if (layer > top) throw new LayerlensError(`--layer ${layer}: the image has layers 0 to ${top}`, 'USAGE');
  const node = model.tree.lookupPath(inImage);
  const copies = model.tree.inLayerCopies.filter((c) => c.node === node && c.version.layer === layer);
  // The bytes of an entry no runtime unpacks, by the name GNU tar extracts it at (FileTree.refusedCopies).
  const refused = model.tree.refusedCopies.filter((r) => r.path === inImage && r.version.layer === layer);
  const own = node?.versionIn(layer);
  const files = [
    ...copies.map((c) => c.version),
    ...refused.map((r) => r.version),
    ...(own && own.change !== 'removed' ? [own] : []),
  ].filter((v) => v.type === 'file');
  const found = files.find((v) => v.entry === entry);
  if (!found) {
    const held = files.map((v) => v.entry).sort((a, b) => a - b);
    throw new LayerlensError(
      `${safeText(inImage)}: layer ${layer} holds no file at entry ${entry}${held.length ? ` (its entries for it: ${held.join(', ')})` : ''}`,
      'NOT_FOUND',
    );
  }
  return { layer, path: inImage, version: found };
}

function parseLayer(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new LayerlensError(`--layer "${text}": use a layer number (0, 1, …)`, 'USAGE');
  return Number(text);
}

/**
 * The version to write: in force at `layer` (default: the last layer), or for a removal the
 * version it removed; hardlinks resolve to their target. Anything else is a one-line error that
 * says what is there instead.
 */
function chooseVersion(model: ImageModel, inImage: string, layer: number | undefined): FileLocation {
  const top = model.tree.layerCount - 1;
  if (layer !== undefined && layer > top)
    throw new LayerlensError(`--layer ${layer}: the image has layers 0 to ${top}`, 'USAGE');
  const node = model.tree.lookupPath(inImage);
  const name = safeText(inImage);
  if (!node || node.versions.length === 0)
    throw new LayerlensError(`${name}: not in any layer of the image`, 'NOT_FOUND');
  const at = layer ?? top;
  const first = node.versions[0].layer;
  if (at < first) throw new LayerlensError(`${name}: not in layer ${at} (first added in layer ${first})`, 'NOT_FOUND');
  const loc = locateContent(model, inImage, at);
  const v = loc?.version ?? node.versionAt(at);
  if (!loc || !v || v.type !== 'file')
    throw new LayerlensError(
      `${name} in layer ${at} is ${notAFile(v, inImage)}: only regular files can be extracted`,
      'USAGE',
    );
  return loc;
}

/** What is at the path instead of a regular file's content, for the error. */
function notAFile(v: Version | undefined, inImage: string): string {
  if (!v || v.change === 'removed') return 'removed, with nothing before it to recover';
  const target = safeText(v.linkTarget ?? '?');
  if (v.type === 'symlink')
    return `a symlink to ${target} (extract ${safeText(posix.resolve(posix.dirname(inImage), v.linkTarget ?? ''))} instead)`;
  if (v.type === 'hardlink') return `a hard link to ${target}, which is not a regular file`;
  return v.type === 'dir' ? 'a directory' : 'a device, fifo or socket';
}

/** Where the bytes come from, when that is not simply "the image as shipped". */
function provenance(
  model: ImageModel,
  inImage: string,
  loc: FileLocation,
  layer: number | undefined,
): string | undefined {
  const name = safeText(inImage);
  // (chooseVersion found the path: it has a node.)
  const live = layer === undefined ? model.tree.lookupPath(inImage)!.versionAt(model.tree.layerCount - 1) : undefined;
  if (live?.change === 'removed') {
    return `${name} is not in the final image: deleted in layer ${live.layer}; extracted from layer ${loc.layer}, which still ships it`;
  }
  if (loc.path !== inImage)
    return `${name} is a hard link: extracted its target ${safeText(loc.path)} from layer ${loc.layer}`;
  return undefined;
}

/**
 * Bytes of the path's versions kept in memory while loading, all versions together (an image may
 * write the same path in every layer); beyond it a version is read again from its layer.
 */
const CAPTURE_MAX = 256 * 1024 * 1024;

/** A content inspector that keeps the bytes of every version of `inImage` (as the version's content). */
function captureFile(inImage: string): ContentInspector {
  const want = splitPath(inImage);
  let kept = 0;
  return (parts, attrs) => {
    if (parts.length !== want.length || kept + attrs.size > CAPTURE_MAX || parts.some((p, i) => p !== want[i]))
      return undefined;
    kept += attrs.size;
    const chunks: Buffer[] = [];
    return {
      // (Chunks are the decoder's buffers: copied.)
      write: (chunk) => void chunks.push(Buffer.from(chunk)),
      end: () => ({ captured: Buffer.concat(chunks) }) satisfies Captured,
    };
  };
}

interface Captured {
  captured: Buffer;
}

/** Copy the version's bytes to `out`: kept while loading, or else read again from its layer. */
async function copyVersion(model: ImageModel, loc: FileLocation, out: Writable): Promise<number> {
  const kept = (loc.version.content as Captured | undefined)?.captured;
  if (!kept) return copyLayerFile(model, loc.layer, loc.path, out, loc.version.entry);
  await new Promise<void>((resolve, reject) => out.write(kept, (err) => (err ? reject(err) : resolve())));
  return kept.length;
}

/** The bytes to stdout; a reader that stops early (`| head`) ends the command quietly (see stdout.ts). */
async function toStdout(model: ImageModel, loc: FileLocation): Promise<number> {
  try {
    return await copyVersion(model, loc, process.stdout);
  } catch (err) {
    if (isClosedOutput(err)) outputClosed();
    throw err;
  }
}

/** The bytes to `file`: a 0600 temporary file beside it, renamed over it when complete. */
async function toFile(model: ImageModel, loc: FileLocation, file: string): Promise<number> {
  let n = 0;
  await writeAtomic(file, async (tmp) => {
    const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
    try {
      await once(out, 'open');
      n = await copyVersion(model, loc, out);
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } finally {
      out.destroy();
    }
  });
  return n;
}
