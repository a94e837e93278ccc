/**
 * A push-based tar reader for layer streams: feed it chunks, it calls back once per entry with
 * the decoded header, and hands file bytes to an optional sink as slices of the input (no
 * per-entry stream objects, no copies). Layers hold hundreds of thousands of small files; a
 * stream per entry (tar-stream) costs more than decompressing them.
 *
 * Headers are decoded by tar-header.ts, the decoder every tar reader in layerlens shares; this
 * file only frames the stream: header blocks, records, data, padding.
 */
import { LayerlensError } from '../errors/index.js';
import { TarHeaderDecoder, type TarHeader } from './tar-header.js';
import { corruptTar, regionBytes, SparseExpander, SparseMapReader, validRegions } from './tar-sparse.js';

export type { TarHeader } from './tar-header.js';

export interface EntrySink {
  write(chunk: Buffer): void;
  /**
   * Optional: the entry's whole data when it lies in one input chunk, as `buf[start, end)`
   * (instead of one `write` of a slice: no Buffer object per file, 500k on large layers).
   */
  whole?(buf: Buffer, start: number, end: number): void;
  /**
   * Optional: `n` zero bytes of a sparse file's hole (tar-sparse.ts), where the sink would rather
   * not be given them (a hole may be gigabytes); without it the zeros are written.
   */
  hole?(n: number): void;
}

/**
 * Called per entry with its header and its ordinal (0, 1, … over the entries of this tar, records
 * not counted: the same numbers whoever reads the tar); may return a sink for the entry's data.
 */
export type OnEntry = (header: TarHeader, ordinal: number) => EntrySink | undefined;
/** Called when an entry's data has all been delivered. */
export type OnEntryEnd = () => void;

const BLOCK = 512;

const enum State {
  Header,
  Data,
  /** A sparse file's map at the start of its data (tar-sparse.ts), before the data proper. */
  SparseMap,
  Record,
  Padding,
  /** After the first zero block: only another zero block may follow. */
  Zero,
  End,
}

export class TarReader {
  private readonly decoder = new TarHeaderDecoder();
  private state = State.Header;
  private pending: Buffer | null = null; // partial header block
  private remaining = 0; // data bytes left in the current entry
  private fresh = false; // no data of the current entry delivered yet
  private padding = 0; // padding bytes left after the data
  private sink: EntrySink | undefined;
  /** A sparse file's: its data is handed on expanded (holes as zeros), then ended here. */
  private expander: SparseExpander | undefined;
  private sparseMap: SparseMapReader | undefined;
  private recordParts: Buffer[] = [];
  private recordNeed = 0;
  /** Bytes of the stream before the chunk being read. */
  private before = 0;
  /** The chunk being read (only while `write` runs: nothing keeps a chunk past its call). */
  private chunk: Buffer | null = null;
  private dataAt = 0;

  /**
   * `length`, when known (an uncompressed layer of a known size), lets an entry that claims more
   * data than the stream holds fail at its header, naming it, rather than at the end.
   */
  constructor(
    private readonly onEntry: OnEntry,
    private readonly onEntryEnd: OnEntryEnd,
    private readonly length = Number.POSITIVE_INFINITY,
    /** A PAX global header was read, named `name` as the runtimes name it (see TarHeaderDecoder.globalName). */
    private readonly onGlobal?: (name: string) => void,
  ) {}

  /** Entries seen so far. */
  get entries(): number {
    return this.decoder.entries;
  }

  /**
   * Where the data of the entry being announced starts in the stream (read inside `onEntry`,
   * with `entryDataLength`): a reader of a seekable uncompressed tar can find its bytes again.
   */
  get entryDataStart(): number {
    return this.dataAt;
  }

  /** The number of data bytes of the entry being announced. */
  get entryDataLength(): number {
    return this.decoder.size;
  }

  /**
   * The chunk being read when the data of the entry being announced lies whole in it (read inside
   * `onEntry`: the data is `chunk[entryDataOffset, entryDataOffset + entryDataLength)`), so that a
   * consumer can take a small file's bytes right at its header; otherwise undefined.
   */
  get entryChunk(): Buffer | undefined {
    const c = this.chunk;
    if (this.decoder.header.sparse) return undefined; // its data is not the file
    return c !== null && this.dataAt - this.before + this.decoder.size <= c.length ? c : undefined;
  }

  /** Where the data of the entry being announced starts in `entryChunk`. */
  get entryDataOffset(): number {
    return this.dataAt - this.before;
  }

  /** True once the end-of-archive blocks were read. */
  get ended(): boolean {
    return this.state === State.End || this.state === State.Zero;
  }

  /** Feed the next chunk of the uncompressed tar stream. Throws LayerlensError on bad data. */
  write(chunk: Buffer): void {
    const len = chunk.length;
    this.chunk = chunk;
    try {
      this.read(chunk, len, 0);
    } finally {
      this.chunk = null;
      this.before += len;
      // A record that runs on into the next chunk keeps a copy of its part in this one: nothing
      // keeps a view of a chunk past its call (its memory may be written again: lent-chunks.ts).
      // (Only the last part can be this chunk's; a record read whole here was taken already.)
      const parts = this.recordParts;
      const last = parts.length - 1;
      if (last >= 0 && parts[last].buffer === chunk.buffer) parts[last] = Buffer.from(parts[last]);
    }
  }

  private read(chunk: Buffer, len: number, off: number): void {
    while (off < len) {
      switch (this.state) {
        case State.End:
          return; // whatever follows the end-of-archive blocks is not read (as in Go)
        case State.Header:
        case State.Zero: {
          let block: Buffer;
          let at = 0;
          if (this.pending) {
            const need = BLOCK - this.pending.length;
            const take = Math.min(need, len - off);
            this.pending = Buffer.concat([this.pending, chunk.subarray(off, off + take)]);
            off += take;
            if (this.pending.length < BLOCK) return;
            block = this.pending;
            this.pending = null;
          } else if (len - off >= BLOCK) {
            block = chunk;
            at = off;
            off += BLOCK;
          } else {
            this.pending = Buffer.from(chunk.subarray(off));
            return;
          }
          this.onHeaderBlock(block, at, this.before + off);
          break;
        }
        case State.Data: {
          const take = Math.min(this.remaining, len - off);
          if (this.sink && take > 0) {
            if (this.fresh && take === this.remaining && this.sink.whole) this.sink.whole(chunk, off, off + take);
            else this.sink.write(chunk.subarray(off, off + take));
            this.fresh = false;
          }
          off += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finishData();
          break;
        }
        case State.SparseMap: {
          const map = this.sparseMap!;
          const took = map.feed(chunk, off, off + Math.min(this.remaining, len - off));
          off += took;
          this.remaining -= took;
          if (map.regions) this.startSparse(map.regions);
          else if (this.remaining === 0) throw corruptTar("a sparse file map runs past its entry's data");
          break;
        }
        case State.Record: {
          const take = Math.min(this.recordNeed, len - off);
          this.recordParts.push(chunk.subarray(off, off + take));
          off += take;
          this.recordNeed -= take;
          if (this.recordNeed === 0) this.finishRecord();
          break;
        }
        case State.Padding: {
          const take = Math.min(this.padding, len - off);
          off += take;
          this.padding -= take;
          if (this.padding === 0) this.state = State.Header;
          break;
        }
      }
    }
  }

  /** End of input: throws when the archive stops inside an entry. */
  end(): void {
    if (this.state === State.End || this.state === State.Zero) return;
    // No end marker after a whole entry: tolerated, as Go's reader and tar do.
    if (this.state === State.Header && !this.pending && !this.decoder.pending) return;
    throw new LayerlensError('truncated tar archive', 'TRUNCATED');
  }

  /** A header block; `end`: the stream offset just after it. */
  /** end(), said to a Writable's final callback (every reader that feeds a TarReader from a stream ends so). */
  endTo(cb: (err?: Error | null) => void): void {
    try {
      this.end();
    } catch (err) {
      return cb(err as Error);
    }
    cb();
  }

  private onHeaderBlock(block: Buffer, at: number, end: number): void {
    const step = this.decoder.decode(block, at);
    if ((step === 'entry' || step === 'record') && this.decoder.size > this.length - end) {
      const what = step === 'entry' ? `entry ${JSON.stringify(this.decoder.header.name.slice(0, 200))}` : 'a record';
      throw new LayerlensError(
        `truncated tar archive: ${what} needs ${this.decoder.size} bytes, only ${Math.max(0, this.length - end)} are left in the layer`,
        'TRUNCATED',
      );
    }
    if (step === 'entry') {
      const size = this.decoder.size;
      const header = this.decoder.header;
      this.dataAt = end;
      this.sink = this.onEntry(header, this.decoder.entries - 1);
      this.remaining = size;
      this.fresh = true;
      this.padding = pad(size);
      if (header.sparse) {
        if (header.sparse.regions) this.startSparse(header.sparse.regions);
        else {
          this.sparseMap = new SparseMapReader();
          if (size === 0) throw corruptTar('a sparse file with no map');
          this.state = State.SparseMap;
        }
      } else if (size === 0) this.finishData();
      else this.state = State.Data;
    } else if (step === 'more') {
      // an old GNU sparse header's extension block follows: a header block too
    } else if (step === 'record') {
      const size = this.decoder.size;
      this.recordParts = [];
      this.recordNeed = size;
      this.padding = pad(size);
      if (size === 0) this.finishRecord();
      else this.state = State.Record;
    } else if (step === 'zero') this.state = State.Zero;
    else this.state = State.End;
  }

  /** A sparse file's data proper follows (its map, if in the data, was read): checked, then expanded. */
  private startSparse(regions: number[]): void {
    const header = this.decoder.header;
    this.sparseMap = undefined;
    // (The header's own map was checked with the header; one read from the data is checked here.)
    if (!validRegions(regions, header.size)) throw corruptTar("a sparse map out of order or past the file's size");
    if (regionBytes(regions) !== this.remaining)
      throw corruptTar(`a sparse map that does not cover the entry's ${this.remaining} data bytes`);
    if (this.sink) {
      this.expander = new SparseExpander(this.sink, regions, header.size);
      this.sink = this.expander;
    }
    this.fresh = false;
    if (this.remaining === 0) this.finishData();
    else this.state = State.Data;
  }

  private finishData(): void {
    if (this.expander) {
      this.expander.end();
      this.expander = undefined;
    }
    this.onEntryEnd();
    this.sink = undefined;
    this.state = this.padding > 0 ? State.Padding : State.Header;
  }

  private finishRecord(): void {
    const parts = this.recordParts;
    this.recordParts = [];
    this.decoder.record(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    const global = this.decoder.globalName;
    if (global !== null) {
      this.decoder.globalName = null;
      this.onGlobal?.(global);
    }
    this.state = this.padding > 0 ? State.Padding : State.Header;
  }
}

function pad(size: number): number {
  const r = size % BLOCK;
  return r === 0 ? 0 : BLOCK - r;
}
