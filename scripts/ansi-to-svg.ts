/**
 * ANSI text (tmux `capture-pane -e -p`) → SVG, for the screenshots in screenshots/.
 * Understands the SGR codes tmux emits: bold, dim, italic, underline, inverse, 16/256/truecolour
 * foreground and background. Usage: node --import tsx scripts/ansi-to-svg.ts in.ansi out.svg [cols rows]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { charWidth } from '../src/text/width.js';

const PALETTE16 = [
  '#1e2127',
  '#e06c75',
  '#98c379',
  '#d19a66',
  '#61afef',
  '#c678dd',
  '#56b6c2',
  '#abb2bf',
  '#5c6370',
  '#ff7b86',
  '#b5e890',
  '#ffd580',
  '#82c4ff',
  '#e29cf5',
  '#7fdbe6',
  '#ffffff',
];
const FG_DEFAULT = '#d7dae0';
const BG_DEFAULT = '#16181d';

function color256(n: number): string {
  if (n < 16) return PALETTE16[n];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const steps = [0, 95, 135, 175, 215, 255];
  return `rgb(${steps[Math.floor(i / 36)]},${steps[Math.floor(i / 6) % 6]},${steps[i % 6]})`;
}

interface Attr {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

interface Cell {
  ch: string;
  w: number;
  a: Attr;
}

function applySgr(a: Attr, params: number[]): Attr {
  const r: Attr = { ...a };
  if (params.length === 0) params = [0];
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p === 0) Object.keys(r).forEach((k) => delete (r as Record<string, unknown>)[k]);
    else if (p === 1) r.bold = true;
    else if (p === 2) r.dim = true;
    else if (p === 3) r.italic = true;
    else if (p === 4) r.underline = true;
    else if (p === 7) r.inverse = true;
    else if (p === 22) r.bold = r.dim = false;
    else if (p === 23) r.italic = false;
    else if (p === 24) r.underline = false;
    else if (p === 27) r.inverse = false;
    else if (p >= 30 && p <= 37) r.fg = PALETTE16[p - 30];
    else if (p >= 90 && p <= 97) r.fg = PALETTE16[p - 90 + 8];
    else if (p === 39) delete r.fg;
    else if (p >= 40 && p <= 47) r.bg = PALETTE16[p - 40];
    else if (p >= 100 && p <= 107) r.bg = PALETTE16[p - 100 + 8];
    else if (p === 49) delete r.bg;
    else if ((p === 38 || p === 48) && params[i + 1] === 5) {
      const c = color256(params[i + 2] ?? 0);
      if (p === 38) r.fg = c;
      else r.bg = c;
      i += 2;
    } else if ((p === 38 || p === 48) && params[i + 1] === 2) {
      const c = `rgb(${params[i + 2] ?? 0},${params[i + 3] ?? 0},${params[i + 4] ?? 0})`;
      if (p === 38) r.fg = c;
      else r.bg = c;
      i += 4;
    }
  }
  return r;
}

export function parseAnsi(text: string): Cell[][] {
  const lines: Cell[][] = [];
  let a: Attr = {};
  for (const raw of text.replace(/\n$/, '').split('\n')) {
    const cells: Cell[] = [];
    let i = 0;
    while (i < raw.length) {
      if (raw[i] === '\x1b') {
        const m = raw.slice(i).match(/^\x1b\[([0-9;:]*)([A-Za-z])/);
        if (m) {
          if (m[2] === 'm') a = applySgr(a, m[1] === '' ? [] : m[1].split(/[;:]/).map(Number));
          i += m[0].length;
          continue;
        }
        const osc = raw.slice(i).match(/^\x1b\][^\x07\x1b]*(\x07|\x1b\\)/);
        i += osc ? osc[0].length : 1;
        continue;
      }
      const cp = raw.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      i += ch.length;
      const w = charWidth(cp);
      if (w === 0 && cells.length) cells[cells.length - 1].ch += ch;
      else cells.push({ ch, w: Math.max(1, w), a });
    }
    lines.push(cells);
  }
  return lines;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function ansiToSvg(text: string, opts: { cols?: number; rows?: number; title?: string } = {}): string {
  const lines = parseAnsi(text);
  const cw = 8.4;
  const lh = 18;
  const pad = 14;
  const bar = 28;
  const cols = opts.cols ?? Math.max(...lines.map((l) => l.reduce((s, c) => s + c.w, 0)), 1);
  const rows = opts.rows ?? lines.length;
  const W = Math.ceil(cols * cw + pad * 2);
  const H = Math.ceil(rows * lh + pad * 2 + bar);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="'DejaVu Sans Mono','Menlo','Consolas',monospace" font-size="14">`,
  );
  out.push(`<rect width="${W}" height="${H}" rx="8" fill="${BG_DEFAULT}"/>`);
  out.push(
    `<circle cx="20" cy="15" r="5.5" fill="#ff5f57"/><circle cx="38" cy="15" r="5.5" fill="#febc2e"/><circle cx="56" cy="15" r="5.5" fill="#28c840"/>`,
  );
  if (opts.title)
    out.push(`<text x="${W / 2}" y="19" fill="#8b919c" text-anchor="middle" font-size="12">${esc(opts.title)}</text>`);
  const top = bar + pad;
  lines.slice(0, rows).forEach((cells, row) => {
    const y = top + row * lh;
    let col = 0;
    // Runs of cells with the same attributes.
    let runStart = 0;
    let run = '';
    let runAttr: Attr | undefined;
    const flush = () => {
      if (!runAttr || run === '') return;
      let fg = runAttr.fg ?? FG_DEFAULT;
      let bg = runAttr.bg;
      if (runAttr.inverse) {
        const t = fg;
        fg = bg ?? BG_DEFAULT;
        bg = t;
      }
      const x = pad + runStart * cw;
      const width = (col - runStart) * cw;
      if (bg) out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${lh}" fill="${bg}"/>`);
      if (run.trim() !== '') {
        const style = [
          runAttr.bold ? 'font-weight="bold"' : '',
          runAttr.dim ? 'opacity="0.6"' : '',
          runAttr.italic ? 'font-style="italic"' : '',
          runAttr.underline ? 'text-decoration="underline"' : '',
        ].join(' ');
        out.push(
          `<text x="${x.toFixed(1)}" y="${y + 13}" fill="${fg}" ${style} xml:space="preserve" textLength="${width.toFixed(1)}" lengthAdjust="spacingAndGlyphs">${esc(run)}</text>`,
        );
      }
    };
    for (const c of cells) {
      if (runAttr !== c.a) {
        flush();
        runStart = col;
        run = '';
        runAttr = c.a;
      }
      run += c.ch;
      col += c.w;
    }
    flush();
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const [inFile, outFile, cols, rows, title] = process.argv.slice(2);
  if (!inFile || !outFile) {
    process.stderr.write('usage: ansi-to-svg IN.ansi OUT.svg [cols rows title]\n');
    process.exit(2);
  }
  writeFileSync(
    outFile,
    ansiToSvg(readFileSync(inFile, 'utf8'), {
      cols: cols ? Number(cols) : undefined,
      rows: rows ? Number(rows) : undefined,
      title,
    }),
  );
}
