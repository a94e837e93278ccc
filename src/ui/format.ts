/** Small formatters shared by the explorer's panels (sizes, modes, bars, durations). */
import type { EntryAttrs } from '../engine/types.js';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 1234567 → "1.2 MB" (decimal units, like docker). Always ≤ 7 cells. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '?';
  if (n < 1000) return `${n} B`;
  let u = 0;
  let v = n;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${UNITS[u]}`;
}

const TYPE_CHAR: Record<Exclude<EntryAttrs['type'], 'other'>, string> = {
  file: '-',
  dir: 'd',
  symlink: 'l',
  hardlink: 'h',
};
const SPECIAL_CHAR: Record<string, string> = { 'char-device': 'c', 'block-device': 'b', fifo: 'p', socket: 's' };

/** `ls -l` style mode string: type char + rwx with s/S, t/T for setuid, setgid and sticky. */
export function modeString(attrs: Pick<EntryAttrs, 'type' | 'mode' | 'special'>): string {
  const t = attrs.type === 'other' ? (SPECIAL_CHAR[attrs.special ?? ''] ?? '?') : TYPE_CHAR[attrs.type];
  const m = attrs.mode;
  const rwx = (bits: number, special: boolean, sch: string) => {
    const x = bits & 1;
    return (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (special ? (x ? sch : sch.toUpperCase()) : x ? 'x' : '-');
  };
  return (
    t +
    rwx((m >> 6) & 7, !!(m & 0o4000), 's') +
    rwx((m >> 3) & 7, !!(m & 0o2000), 's') +
    rwx(m & 7, !!(m & 0o1000), 't')
  );
}

/** True when setuid or setgid is set on a non-directory. */
export function isPrivileged(attrs: Pick<EntryAttrs, 'type' | 'mode'>): boolean {
  return attrs.type !== 'dir' && (attrs.mode & 0o6000) !== 0;
}

/** A horizontal bar of `width` cells filled to `fraction` (eighth-cell resolution). */
export function bar(fraction: number, width: number): string {
  if (width <= 0) return '';
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  const partial = rest ? '▏▎▍▌▋▊▉'[rest - 1] : '';
  return ('█'.repeat(full) + partial).padEnd(width, ' ');
}

/** 83 → "1m23s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Wrap plain (safe) text to `width` cells, breaking at spaces where possible. */
export function wrapText(s: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  for (const para of s.split('\n')) {
    let line = '';
    for (const word of para.split(/(?<= )/)) {
      if (line.length + word.length <= width) {
        line += word;
        continue;
      }
      if (line) out.push(line.trimEnd());
      let w = word;
      while (w.length > width) {
        out.push(w.slice(0, width));
        w = w.slice(width);
      }
      line = w;
    }
    out.push(line.trimEnd());
  }
  return out;
}
