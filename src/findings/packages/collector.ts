/**
 * Keeps what one package file's parser needs while its bytes stream (a bounded prefix of text
 * files, a whole jar up to a limit, the build-info window of a Go binary), and parses it at the
 * end of the file. Only the small result stays on the file's version.
 */
import { GO_BUILDINFO_MAGIC, isGoElf, parseGoBuildInfo } from './go-buildinfo.js';
import { parseJavaArchive } from './java.js';
import { parseNpmPackageJson, parsePackageLock, parsePnpmLock, parseYarnLock } from './npm.js';
import { parseComposerInstalled, parseDepsJson, parseGemspec } from './other.js';
import { parsePythonMetadata } from './python.js';
import type { FoundPackage, PackageFileData, PackageFileKind } from './types.js';
import { ownStrings } from '../../text/own-copy.js';

/** Bytes kept per kind; past it the file counts as unread (said in a note), except for metadata headers. */
const CAP: Record<PackageFileKind, number> = {
  'npm-package': 1 << 20,
  'npm-lockfile': 64 << 20,
  'yarn-lock': 64 << 20,
  'pnpm-lock': 64 << 20,
  'python-metadata': 64 << 10,
  'composer-installed': 32 << 20,
  'nuget-deps': 32 << 20,
  gemspec: 1 << 20,
  'java-archive': 256 << 20,
  elf: 0,
};

/** Bytes of an ELF file looked at to decide whether it is a Go binary (its program headers and notes). */
const ELF_HEAD = 64 << 10;
const GO_WINDOW = 1 << 20;

export class PackageFileCollector {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private over = false;
  // ELF files: the head until decided, then (Go binaries only) the search for the magic.
  private elf: 'head' | 'search' | 'window' | 'not-go' = 'head';
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    private readonly kind: PackageFileKind,
    private readonly name: string,
  ) {}

  write(chunk: Buffer): void {
    if (this.kind === 'elf') return this.writeElf(chunk);
    if (this.over) return;
    const cap = CAP[this.kind];
    if (this.bytes + chunk.length > cap) {
      this.over = true;
      chunk = chunk.subarray(0, Math.max(0, cap - this.bytes));
    }
    if (chunk.length) {
      // Copy: the parser hands out views of buffers it reuses.
      this.chunks.push(Buffer.from(chunk));
      this.bytes += chunk.length;
    }
  }

  private writeElf(chunk: Buffer): void {
    switch (this.elf) {
      case 'head': {
        // Most binaries arrive with their head in one chunk: decided on a view of it. A copy of
        // the head (64 KiB) was fresh memory and read pages of the binary that nothing else
        // reads, where isGoElf reads the ELF header and its program headers (~0.5 ms a binary
        // here: memory is slow to touch first, sources/buffer-pool.ts).
        const whole = this.bytes === 0 && chunk.length >= 4096;
        const kept = whole ? Math.min(chunk.length, ELF_HEAD) : this.keep(chunk, ELF_HEAD);
        if (!whole && this.bytes < ELF_HEAD && this.bytes < 4096) return; // too little to decide yet
        const state = this.decide(whole ? chunk.subarray(0, kept) : undefined);
        // The rest of this chunk follows the head.
        if (state === 'search' && kept < chunk.length) this.search(chunk.subarray(kept));
        else if (state === 'window' && kept < chunk.length) this.keep(chunk.subarray(kept), GO_WINDOW);
        return;
      }
      case 'search':
        return this.search(chunk);
      case 'window':
        this.keep(chunk, GO_WINDOW);
        return;
    }
  }

  /**
   * Go binary or not, from `head` (a view of the chunk that holds it) or else the head kept so
   * far; a Go binary's head is searched at once (search copies what it keeps).
   */
  private decide(head = this.kept()): 'search' | 'window' | 'not-go' {
    this.chunks = [];
    this.bytes = 0;
    if (!isGoElf(head)) return (this.elf = 'not-go');
    this.elf = 'search';
    this.search(head);
    return this.elf as 'search' | 'window';
  }

  /** Looks for the build-info magic (16-byte aligned, but chunks need not be: any offset). */
  private search(chunk: Buffer): void {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const at = buf.indexOf(GO_BUILDINFO_MAGIC);
    if (at >= 0) {
      this.elf = 'window';
      this.carry = Buffer.alloc(0);
      this.keep(buf.subarray(at), GO_WINDOW);
      return;
    }
    this.carry = Buffer.from(buf.subarray(Math.max(0, buf.length - (GO_BUILDINFO_MAGIC.length - 1))));
  }

  /** Copies the part of `chunk` that fits under `cap`; returns its length. */
  private keep(chunk: Buffer, cap: number): number {
    const part = chunk.subarray(0, Math.max(0, cap - this.bytes));
    if (part.length) {
      this.chunks.push(Buffer.from(part));
      this.bytes += part.length;
    }
    return part.length;
  }

  /** The chunks kept, as one buffer (one kept chunk is not copied again). */
  private kept(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }

  end(): PackageFileData | undefined {
    const buf = this.kept();
    this.chunks = [];
    let found: FoundPackage[] = [];
    let note: string | undefined;
    const tooLarge = `larger than the read limit of ${CAP[this.kind] >> 20} MiB: not read`;
    switch (this.kind) {
      case 'elf': {
        let window = buf;
        let state = this.elf;
        if (state === 'head') {
          // A file too small to decide on while it streamed.
          this.chunks = [buf];
          state = this.decide();
          window = this.kept();
          this.chunks = [];
        }
        const info = state === 'window' ? parseGoBuildInfo(window) : undefined;
        if (!info) return undefined;
        found = info.packages;
        note = info.note;
        break;
      }
      case 'java-archive':
        if (this.over) note = tooLarge;
        else ({ found, note } = parseJavaArchive(buf, this.name));
        break;
      case 'python-metadata':
        found = parsePythonMetadata(buf.toString('utf8'));
        break;
      default: {
        if (this.over) {
          note = tooLarge;
          break;
        }
        const text = buf.toString('utf8');
        found = PARSERS[this.kind]!(text);
      }
    }
    if (!found.length && !note) return undefined;
    // (Kept with the file's version: its strings copied, not views of the file's whole text.)
    found = ownStrings(found);
    return note ? { from: this.kind, found, note } : { from: this.kind, found };
  }
}

const PARSERS: Partial<Record<PackageFileKind, (text: string) => FoundPackage[]>> = {
  'npm-package': parseNpmPackageJson,
  'npm-lockfile': parsePackageLock,
  'yarn-lock': parseYarnLock,
  'pnpm-lock': parsePnpmLock,
  'composer-installed': parseComposerInstalled,
  'nuget-deps': parseDepsJson,
  gemspec: parseGemspec,
};
