/** Small formatters of the explorer's panels: `ls -l` modes and bars (bytes and times: src/text/bytes.ts). */
import type { EntryAttrs } from '../engine/types.js';

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
