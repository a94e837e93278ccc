/**
 * An HTTP/1.1 response parser for blob bodies (raw-get.ts feeds it the bytes of a socket that
 * reads into one reused buffer). It exists because node:http's parser copies every body chunk
 * into a new Buffer: on a pull of a few hundred MB that was most of the download worker's time.
 *
 * It handles what registries and their storage send for a blob: a status line, headers, and a
 * body framed by Content-Length or chunked transfer-encoding (extensions and trailers read and
 * ignored). Anything else it does not guess at: a response it does not handle (1xx, another
 * transfer-encoding, a content-encoding, a body that runs until the connection closes, folded or
 * LF-only header lines) is reported as `unsupported` before any byte of it is delivered, so the
 * caller can send the request through node:http instead; a response that breaks the protocol
 * (bad status line, lengths that disagree, a chunk size that is not hex) is a ParseError.
 *
 * Every size is bounded: the header block (16 KiB, as node's default), the header count, a
 * chunk-size line, the trailers, and the chunk size itself (2^52 - 1).
 */
import type http from 'node:http';

/** The status line and headers together (node's default --max-http-header-size). */
export const MAX_HEAD_BYTES = 16 << 10;
/** Header lines in one response (registries send a dozen). */
export const MAX_HEADERS = 256;
/** A chunk-size line with its extensions. */
export const MAX_CHUNK_LINE = 4 << 10;
/** Hex digits of a chunk size: 13 keep it below 2^52, exact as a JavaScript number. */
const MAX_CHUNK_DIGITS = 13;
/** Content-Length digits (below 2^53). */
const MAX_LENGTH_DIGITS = 15;

/** A response that breaks HTTP/1.1. `code` follows llhttp's names, so messages match node's. */
export class ParseError extends Error {
  constructor(
    readonly code: string,
    /** In plain words, never quoting the bytes. */
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface ResponseHead {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The connection can carry another request after this response (if its body is read whole). */
  keepAlive: boolean;
}

export interface ParserEvents {
  head(h: ResponseHead): void;
  /** Body bytes: a view valid only during the call (the caller's read buffer). */
  body(chunk: Buffer): void;
  end(): void;
  /** Not handled here (why, for debugging); nothing of the response was delivered. */
  unsupported(why: string): void;
}

type State = 'head' | 'length' | 'chunk-line' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'done';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, obs-text, SP and HTAB; no other control characters.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
const CHUNK_LINE = /^([0-9A-Fa-f]+)(?:[ \t]*;[\t\x20-\x7e\x80-\xff]*)?$/;
// Headers whose duplicates node drops (it keeps the first); others it joins with ", ".
const FIRST_WINS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

export class Http1ResponseParser {
  private state: State = 'head';
  /** The head (or a chunk-size line, or trailers) as it accumulates across reads. */
  private line = Buffer.allocUnsafe(MAX_HEAD_BYTES);
  private lineLen = 0;
  /** Body bytes still to come: of the Content-Length body, or of the current chunk. */
  private left = 0;
  private crlfSeen = 0;
  private stopped = false;
  /** Bytes arrived after the end of the response: the connection cannot be reused. */
  extra = false;
  /** The head allows another request on the connection. */
  keepAlive = false;
  private trailerBytes = 0;
  private trailerCount = 0;

  constructor(private readonly ev: ParserEvents) {}

  get done(): boolean {
    return this.state === 'done';
  }

  /** Inside the body (the head was delivered, the end not yet): a close now cuts the body. */
  get inBody(): boolean {
    return this.state !== 'head' && this.state !== 'done';
  }

  /** Stop delivering events (the response was abandoned). */
  stop(): void {
    this.stopped = true;
  }

  /** Body bytes of the current length or chunk from `buf[p, end)`; returns the position after them. */
  private deliver(buf: Buffer, p: number, end: number): number {
    const n = Math.min(this.left, end - p);
    this.left -= n;
    this.ev.body(buf.subarray(p, p + n));
    return p + n;
  }

  /** Feed bytes [start, end) of `buf`. Throws ParseError; events run synchronously. */
  feed(buf: Buffer, start: number, end: number): void {
    let p = start;
    while (p < end && !this.stopped) {
      switch (this.state) {
        case 'head':
          p = this.readHead(buf, p, end);
          break;
        case 'length':
          p = this.deliver(buf, p, end);
          if (this.left === 0) this.finish();
          break;
        case 'chunk-line':
          p = this.readLine(buf, p, end, MAX_CHUNK_LINE, () => this.chunkLine());
          break;
        case 'chunk-data': {
          p = this.deliver(buf, p, end);
          if (this.left === 0) {
            this.state = 'chunk-crlf';
            this.crlfSeen = 0;
          }
          break;
        }
        case 'chunk-crlf': {
          const want = this.crlfSeen === 0 ? 0x0d : 0x0a;
          if (buf[p++] !== want) throw new ParseError('HPE_STRICT', 'a chunk is not followed by CRLF');
          if (++this.crlfSeen === 2) this.state = 'chunk-line';
          break;
        }
        case 'trailers':
          p = this.readLine(buf, p, end, MAX_HEAD_BYTES - this.trailerBytes, () => this.trailerLine());
          break;
        case 'done':
          this.extra = true;
          return;
      }
    }
  }

  /** The head accumulates until CRLF CRLF; returns where the body starts in `buf`. */
  private readHead(buf: Buffer, p: number, end: number): number {
    const before = this.lineLen;
    const n = Math.min(end - p, this.line.length - before);
    buf.copy(this.line, before, p, p + n);
    this.lineLen += n;
    const at = this.line.subarray(0, this.lineLen).indexOf('\r\n\r\n', Math.max(0, before - 3), 'latin1');
    if (at < 0) {
      if (this.lineLen >= this.line.length)
        throw new ParseError('HPE_HEADER_OVERFLOW', 'the response headers are larger than 16 KiB');
      return p + n;
    }
    const used = at + 4 - before;
    this.parseHead(this.line.toString('latin1', 0, at));
    this.lineLen = 0;
    return p + used;
  }

  private parseHead(text: string): void {
    const lines = text.split('\r\n');
    if (lines.some((l) => l.includes('\n'))) return this.giveUp('a line ends in LF alone');
    const m = STATUS_LINE.exec(lines[0]);
    if (!m) throw new ParseError('HPE_INVALID_CONSTANT', 'the status line is not HTTP/1.x');
    const http11 = m[1] === '1';
    const status = Number(m[2]);
    if (lines.length - 1 > MAX_HEADERS)
      throw new ParseError('HPE_HEADER_OVERFLOW', `the response has more than ${MAX_HEADERS} header lines`);
    const headers: http.IncomingHttpHeaders = {};
    const lengths: string[] = [];
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i];
      if (l[0] === ' ' || l[0] === '\t') return this.giveUp('a folded header line');
      const colon = l.indexOf(':');
      const name = l.slice(0, colon).toLowerCase();
      const value = l.slice(colon + 1).trim();
      if (colon <= 0 || !TOKEN.test(name)) throw new ParseError('HPE_INVALID_HEADER_TOKEN', 'a header name is invalid');
      if (!FIELD_VALUE.test(value)) throw new ParseError('HPE_INVALID_HEADER_TOKEN', 'a header value is invalid');
      if (name === 'content-length') lengths.push(...value.split(',').map((v) => v.trim()));
      addHeader(headers, name, value);
    }
    if (status < 200) return this.giveUp('an interim (1xx) response');
    const te = headers['transfer-encoding'] as string | undefined;
    const ce = (headers['content-encoding'] as string | undefined)?.toLowerCase();
    if (ce && ce !== 'identity') return this.giveUp('a content-encoding');
    if (te !== undefined && te.toLowerCase() !== 'chunked')
      return this.giveUp('a transfer-encoding other than chunked');
    if (te !== undefined && lengths.length)
      throw new ParseError(
        'HPE_UNEXPECTED_CONTENT_LENGTH',
        'the response has both Content-Length and Transfer-Encoding',
      );
    let length: number | undefined;
    if (lengths.length) {
      if (!lengths.every((v) => v === lengths[0] && /^\d+$/.test(v)) || lengths[0].length > MAX_LENGTH_DIGITS)
        throw new ParseError('HPE_INVALID_CONTENT_LENGTH', 'the Content-Length is invalid');
      length = Number(lengths[0]);
    }
    const noBody = status === 204 || status === 304;
    if (!noBody && te === undefined && length === undefined)
      return this.giveUp('a body that ends when the connection closes');
    const tokens = String(headers.connection ?? '')
      .toLowerCase()
      .split(',')
      .map((t) => t.trim());
    const keepAlive = http11 ? !tokens.includes('close') : tokens.includes('keep-alive');
    this.keepAlive = keepAlive;
    this.ev.head({ status, headers, keepAlive });
    if (this.stopped) return;
    if (noBody || length === 0) return this.finish();
    if (te !== undefined) this.state = 'chunk-line';
    else {
      this.state = 'length';
      this.left = length!;
    }
  }

  /** One CRLF-ended line of at most `max` bytes (a chunk-size line, a trailer). */
  private readLine(buf: Buffer, p: number, end: number, max: number, done: () => void): number {
    // Searched within [p, end) only: past `end` lies an older read's bytes.
    const at = buf.subarray(p, end).indexOf(0x0a);
    const lf = at < 0 ? -1 : p + at;
    const stop = lf < 0 ? end : lf + 1;
    if (this.lineLen + (stop - p) > max)
      throw new ParseError(
        'HPE_HEADER_OVERFLOW',
        this.state === 'trailers' ? 'the trailers are larger than 16 KiB' : 'a chunk-size line is too long',
      );
    buf.copy(this.line, this.lineLen, p, stop);
    this.lineLen += stop - p;
    if (lf >= 0) done();
    return stop;
  }

  /** The line in `line` ended with LF: it must end with CRLF. */
  private takeLine(): string {
    const n = this.lineLen;
    if (n < 2 || this.line[n - 2] !== 0x0d) throw new ParseError('HPE_STRICT', 'a line does not end with CRLF');
    this.lineLen = 0;
    return this.line.toString('latin1', 0, n - 2);
  }

  private chunkLine(): void {
    const m = CHUNK_LINE.exec(this.takeLine());
    if (!m || m[1].length > MAX_CHUNK_DIGITS) throw new ParseError('HPE_INVALID_CHUNK_SIZE', 'a chunk size is invalid');
    const size = Number.parseInt(m[1], 16);
    if (size === 0) {
      this.state = 'trailers';
      this.trailerBytes = 0;
      this.trailerCount = 0;
      return;
    }
    this.left = size;
    this.state = 'chunk-data';
  }

  private trailerLine(): void {
    this.trailerBytes += this.lineLen;
    const l = this.takeLine();
    if (l === '') return this.finish();
    if (++this.trailerCount > MAX_HEADERS || this.trailerBytes > MAX_HEAD_BYTES)
      throw new ParseError('HPE_HEADER_OVERFLOW', 'the trailers are larger than 16 KiB');
    const colon = l.indexOf(':');
    if (colon <= 0 || !TOKEN.test(l.slice(0, colon)))
      throw new ParseError('HPE_INVALID_HEADER_TOKEN', 'a trailer is invalid');
  }

  private finish(): void {
    this.state = 'done';
    if (!this.stopped) this.ev.end();
  }

  private giveUp(why: string): void {
    this.stopped = true;
    this.ev.unsupported(why);
  }
}

/** As node builds IncomingMessage.headers: set-cookie a list, some first-wins, others joined. */
function addHeader(h: http.IncomingHttpHeaders, name: string, value: string): void {
  const had = h[name];
  if (had === undefined) h[name] = name === 'set-cookie' ? [value] : value;
  else if (name === 'set-cookie') (had as string[]).push(value);
  else if (!FIRST_WINS.has(name)) h[name] = `${had}, ${value}`;
}
