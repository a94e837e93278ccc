/**
 * The file viewer's model: bytes → text lines (numbered, made safe) or a hex dump for binary
 * content, with the secrets the checks' rules find masked in both views until revealed
 * (src/findings/redact.ts: the same rules as the scan). Pure: the explorer loads the bytes and
 * keeps the scroll.
 */
import { mergeSpans, redactText, secretSpans, visiblePrefix } from '../findings/redact.js';
import { safeLine } from '../text/width.js';

export interface ViewerDoc {
  path: string;
  /** Layer the bytes were read from. */
  layer: number;
  /** Why this version is special ("deleted in layer 4"), if it is. */
  note?: string;
  size: number;
  truncated: boolean;
  binary: boolean;
  /** The content as text (UTF-8; empty for binary content). */
  text: string;
  data: Buffer;
  /** Byte masks for the hex view, made on first use. */
  hexMask?: HexMask;
  /** What the viewer's border says instead of "layer N" (the compare view: "old L3 → new L5"). */
  title?: string;
  /** The text is a line diff (`- `, `+ `, `  ` before each line): the viewer colours it. */
  diff?: boolean;
}

/** Which bytes the hex view hides: 1 = masked. */
export interface HexMask {
  bytes: Uint8Array;
  count: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Binary when the first 8 KiB hold a NUL byte or are not UTF-8. */
export function isBinary(data: Buffer): boolean {
  const head = data.subarray(0, 8192);
  if (head.includes(0)) return true;
  try {
    // A multi-byte character cut at the 8 KiB boundary is not binary: decode with a little slack.
    utf8.decode(data.length > 8192 ? trimPartialUtf8(head) : head);
    return false;
  } catch {
    return true;
  }
}

function trimPartialUtf8(b: Buffer): Buffer {
  let end = b.length;
  for (let i = 1; i <= 3 && i <= b.length; i++) {
    const c = b[b.length - i];
    if ((c & 0xc0) === 0xc0) {
      end = b.length - i;
      break;
    }
    if ((c & 0x80) === 0) break;
  }
  return b.subarray(0, end);
}

export function makeDoc(
  path: string,
  layer: number,
  data: Buffer,
  size: number,
  truncated: boolean,
  note?: string,
): ViewerDoc {
  const binary = isBinary(data);
  return { path, layer, note, size, truncated, binary, text: binary ? '' : data.toString('utf8'), data };
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Text lines as shown: secrets masked unless `reveal`, every line made safe. */
export function displayText(doc: ViewerDoc, reveal: boolean): { lines: string[]; masked: number } {
  const r = redactText(doc.text, doc.path, reveal);
  return { lines: splitLines(r.text).map((l) => safeLine(l)), masked: r.masked };
}

/**
 * The hex view's mask: the bytes of every secret the rules find in the content (read as one
 * byte per character), except the characters a masked value shows (visiblePrefix).
 */
export function hexMask(doc: ViewerDoc): HexMask {
  if (doc.hexMask) return doc.hexMask;
  const bytes = new Uint8Array(doc.data.length);
  const spans = mergeSpans(secretSpans(doc.data.toString('latin1'), doc.path));
  for (const [a, b] of spans) for (let i = a + visiblePrefix(b - a); i < b && i < bytes.length; i++) bytes[i] = 1;
  doc.hexMask = { bytes, count: spans.length };
  return doc.hexMask;
}

/** Number of hex dump lines (16 bytes each). */
export function hexLineCount(doc: ViewerDoc): number {
  return Math.ceil(doc.data.length / 16);
}

/**
 * One hex dump line: offset, 16 bytes in two groups of 8, printable ASCII. Bytes set in `mask`
 * show as `••` and `•`.
 */
export function hexLine(data: Buffer, line: number, mask?: Uint8Array): string {
  const off = line * 16;
  const bytes = data.subarray(off, off + 16);
  let hex = '';
  let ascii = '';
  for (let i = 0; i < 16; i++) {
    if (i === 8) hex += ' ';
    if (i < bytes.length) {
      if (mask?.[off + i]) {
        hex += '•• ';
        ascii += '•';
        continue;
      }
      hex += bytes[i].toString(16).padStart(2, '0') + ' ';
      ascii += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : '.';
    } else hex += '   ';
  }
  return `${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`;
}
