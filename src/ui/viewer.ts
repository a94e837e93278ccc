/**
 * The file viewer's model: bytes → text lines (numbered, made safe, secrets masked until revealed)
 * or a hex dump for binary content. Pure: the explorer loads the bytes and keeps the scroll.
 */
import { maskLines } from './mask.js';
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
  /** Raw lines (text) — shown masked unless revealed. */
  text: string[];
  data: Buffer;
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
  let text: string[] = [];
  if (!binary) {
    text = data.toString('utf8').split(/\r?\n/);
    if (text.length > 1 && text[text.length - 1] === '') text.pop();
  }
  return { path, layer, note, size, truncated, binary, text, data };
}

/** Text lines as shown: safe, masked unless `reveal`. */
export function displayText(doc: ViewerDoc, reveal: boolean): { lines: string[]; masked: number } {
  const src = reveal ? { lines: doc.text, masked: 0 } : maskLines(doc.text);
  return { lines: src.lines.map((l) => safeLine(l)), masked: src.masked };
}

/** Number of hex dump lines (16 bytes each). */
export function hexLineCount(doc: ViewerDoc): number {
  return Math.ceil(doc.data.length / 16);
}

/** One hex dump line: offset, 16 bytes in two groups of 8, printable ASCII. */
export function hexLine(data: Buffer, line: number): string {
  const off = line * 16;
  const bytes = data.subarray(off, off + 16);
  let hex = '';
  let ascii = '';
  for (let i = 0; i < 16; i++) {
    if (i === 8) hex += ' ';
    if (i < bytes.length) {
      hex += bytes[i].toString(16).padStart(2, '0') + ' ';
      ascii += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : '.';
    } else hex += '   ';
  }
  return `${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`;
}
