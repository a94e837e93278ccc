/**
 * Byte counts and durations as layerlens prints them, everywhere: the explorer, findings messages
 * and every report. Decimal units (1 kB = 1000 B, 1 MB = 10^6 B), as `docker images`, `docker
 * history` and dive print them, so a size reads the same here as in the tools beside it.
 */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** 1234567 → "1.2 MB"; 999 → "999 B"; 123456789 → "123 MB". At most 7 cells; "?" when unknown. */
export function formatBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n) || n < 0) return '?';
  if (n < 1000) return `${Math.round(n)} B`;
  let u = 0;
  let v = n;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  // 999.96 kB rounds to "1000 kB" with one decimal: step up instead.
  if (v >= 99.95 && Math.round(v) >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 99.95 ? Math.round(v) : v.toFixed(1)} ${UNITS[u]}`;
}

/**
 * 1234567 → "1,234,567": a count with thousands separators, as `en-US` writes it on every
 * machine. Written out because Number#toLocaleString loads the ICU locale data on its first
 * call, ~30 ms of every `layerlens scan` (its summary line counts files) for one comma.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const r = Math.abs(Math.round(n));
  // (String() writes 1e21 and above with an exponent: its digits, then zeros, as en-US does.)
  const digits = r < 1e21 ? String(r) : bigDigits(r);
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3);
  return n < 0 && r > 0 ? '-' + out : out;
}

function bigDigits(r: number): string {
  const [m, e] = r.toExponential().split('e+');
  return m.replace('.', '').padEnd(Number(e) + 1, '0');
}

/** 83 → "1m23s"; 5.2 → "6s"; 7300 → "2h01m". "?" for a negative or infinite time. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** 0.4567 → "45.7%" (one decimal, as dive prints its percentages). */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '?';
  return `${(fraction * 100).toFixed(1)}%`;
}
