/**
 * Styled lines for the explorer. Panels are built as arrays of segments (text + style), cut to
 * an exact width here, and turned into ONE string per terminal line with SGR colour codes, which
 * the painter writes (columns line up exactly). Text put in a segment must already be safe
 * (src/text/safe-text.ts): only the SGR codes made here reach the terminal.
 */
import { charWidth, textWidth } from '../text/width.js';

export type Color =
  | 'black'
  | 'red'
  | 'green'
  | 'yellow'
  | 'blue'
  | 'magenta'
  | 'cyan'
  | 'white'
  | 'gray'
  | 'brightRed'
  | 'brightGreen'
  | 'brightYellow'
  | 'brightBlue'
  | 'brightMagenta'
  | 'brightCyan'
  | 'brightWhite'
  | 'selBg'
  | 'dimBg';

export interface Style {
  fg?: Color;
  bg?: Color;
  bold?: boolean;
  dim?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface Seg extends Style {
  t: string;
}

export type Line = Seg[];

const FG: Record<Color, string> = {
  black: '30',
  red: '31',
  green: '32',
  yellow: '33',
  blue: '34',
  magenta: '35',
  cyan: '36',
  white: '37',
  gray: '90',
  brightRed: '91',
  brightGreen: '92',
  brightYellow: '93',
  brightBlue: '94',
  brightMagenta: '95',
  brightCyan: '96',
  brightWhite: '97',
  selBg: '37',
  dimBg: '37',
};

const BG: Record<Color, string> = {
  black: '40',
  red: '41',
  green: '42',
  yellow: '43',
  blue: '44',
  magenta: '45',
  cyan: '46',
  white: '47',
  gray: '100',
  brightRed: '101',
  brightGreen: '102',
  brightYellow: '103',
  brightBlue: '104',
  brightMagenta: '105',
  brightCyan: '106',
  brightWhite: '107',
  // Selection backgrounds: 256-colour greys/blues read well on dark and light themes.
  selBg: '48;5;24',
  dimBg: '48;5;238',
};

let colorOn = !('NO_COLOR' in process.env);

/** Turn colours off (NO_COLOR, tests that want plain text) or on. */
export function setColor(on: boolean): void {
  colorOn = on;
}

function sgr(s: Style): string {
  if (!colorOn) return '';
  const codes: string[] = [];
  if (s.bold) codes.push('1');
  if (s.dim) codes.push('2');
  if (s.underline) codes.push('4');
  if (s.inverse) codes.push('7');
  if (s.fg) codes.push(FG[s.fg]);
  if (s.bg) codes.push(BG[s.bg]);
  return codes.length ? `\x1b[${codes.join(';')}m` : '';
}

export const seg = (t: string, style: Style = {}): Seg => ({ t, ...style });

export function lineWidth(line: Line): number {
  let w = 0;
  for (const s of line) w += textWidth(s.t);
  return w;
}

/** Cut a line to `width` cells (adding … when cut) and pad it with `pad` style to exactly `width`. */
export function fitLine(line: Line, width: number, pad: Style = {}): Line {
  const out: Line = [];
  let w = 0;
  const total = lineWidth(line);
  const limit = total > width ? width - 1 : width;
  for (const s of line) {
    const sw = textWidth(s.t);
    if (w + sw <= limit) {
      out.push(s);
      w += sw;
      continue;
    }
    let t = '';
    for (const ch of s.t) {
      const cw = charWidth(ch.codePointAt(0)!);
      if (w + cw > limit) break;
      t += ch;
      w += cw;
    }
    if (t) out.push({ ...s, t });
    break;
  }
  if (total > width && width > 0) {
    const last = out[out.length - 1] ?? line[0] ?? {};
    out.push({ ...last, t: '…' });
    w++;
  }
  if (w < width) out.push({ ...pad, t: ' '.repeat(width - w) });
  return out;
}

/** Apply a style on top of every segment (selection highlight). */
export function overlay(line: Line, style: Style): Line {
  return line.map((s) => ({ ...s, ...style, fg: style.fg ?? s.fg, bold: style.bold ?? s.bold }));
}

/** One terminal line: segments with SGR codes, reset at the end. */
export function toAnsi(line: Line): string {
  let out = '';
  for (const s of line) {
    const code = sgr(s);
    out += code ? code + s.t + '\x1b[0m' : s.t;
  }
  return out;
}

/** Plain text of a line (tests, width checks). */
export function plain(line: Line): string {
  return line.map((s) => s.t).join('');
}

/** Strip SGR codes from rendered output (tests). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

export interface BoxOptions {
  title: string;
  /** Segments drawn in place of the title (the side panel's tabs); the title is the fallback. */
  titleLine?: Line;
  /** Right side of the top border (counts, mode…). */
  info?: string;
  /** Text in the bottom border (the image's efficiency under Layers). */
  footer?: Line;
  focused: boolean;
  width: number;
  height: number;
}

/**
 * A bordered panel as lines: title (or tabs) and info in the top border, an optional footer in the
 * bottom one, `body` lines cut/padded to the inner width, blank lines to fill the height.
 */
export function box(body: Line[], o: BoxOptions): Line[] {
  const inner = Math.max(0, o.width - 2);
  const bc: Style = { fg: o.focused ? 'cyan' : 'gray' };
  const room = Math.max(0, inner - 1);
  let head: Line;
  if (o.titleLine && lineWidth(o.titleLine) <= room) head = o.titleLine;
  else {
    const title = ` ${o.title} `;
    head = [
      {
        t: title.length > room ? title.slice(0, room) : title,
        fg: o.focused ? 'brightCyan' : 'white',
        bold: o.focused,
      },
    ];
  }
  const info = o.info ? ` ${o.info} ` : '';
  const i = lineWidth(head) + 1 + textWidth(info) > room ? '' : info;
  const dashes = Math.max(0, inner - 1 - lineWidth(head) - textWidth(i));
  const top: Line = [
    { ...bc, t: '╭─' },
    ...head,
    { ...bc, t: '─'.repeat(dashes) },
    { t: i, fg: 'gray' },
    { ...bc, t: '╮' },
  ];
  const out: Line[] = [fitLine(top, o.width)];
  const rows = Math.max(0, o.height - 2);
  for (let r = 0; r < rows; r++) {
    const l = body[r] ?? [];
    out.push([{ ...bc, t: '│' }, ...fitLine(l, inner), { ...bc, t: '│' }]);
  }
  if (o.height >= 2) {
    const foot = o.footer && lineWidth(o.footer) + 2 <= inner ? o.footer : undefined;
    if (foot) {
      const w = lineWidth(foot);
      out.push([{ ...bc, t: '╰─' }, ...foot, { ...bc, t: '─'.repeat(Math.max(0, inner - 1 - w)) + '╯' }]);
    } else out.push([{ ...bc, t: '╰' + '─'.repeat(inner) + '╯' }]);
  }
  return out.slice(0, o.height);
}

/** Cut a line to the cells [from, from+width) (used to lay an overlay over a line). */
export function sliceLine(line: Line, from: number, width: number): Line {
  const out: Line = [];
  let col = 0;
  for (const s of line) {
    let t = '';
    for (const ch of s.t) {
      const cw = charWidth(ch.codePointAt(0)!);
      if (col >= from && col + cw <= from + width) t += ch;
      else if (col < from + width && col + cw > from && cw > 1) t += ' '; // half of a wide char
      col += cw;
    }
    if (t) out.push({ ...s, t });
  }
  return out;
}

/** `base` with `over` laid on top starting at cell `col`. */
export function spliceLine(base: Line, col: number, over: Line, total: number): Line {
  const w = lineWidth(over);
  return fitLine(
    [...fitLine(sliceLine(base, 0, col), col), ...over, ...sliceLine(base, col + w, total - col - w)],
    total,
  );
}
