/**
 * How a match of a format rule is judged before it is reported: made-up values (documented
 * examples, placeholders inside a token, sequential or low-entropy fillers) are downgraded to
 * info with the reason, never hidden. The reason texts live here, one per DowngradeCode, so a
 * finding's message and the report's per-family counts say the same thing.
 */
import type { Severity } from '../types.js';
import { shannonEntropy } from './entropy.js';
import { GAVE_UP, nearestLine } from './nearest-line.js';
import { looksLikeIdentifier } from './placeholder.js';
import type { DowngradeCode, SecretRule } from './rules/types.js';
import type { TextIndex } from './text-index.js';

/** The text each downgrade reason is reported with. */
export const DOWNGRADE_REASONS: Record<DowngradeCode, string> = {
  'example-marker': 'documented example value (contains an example marker)',
  placeholder: 'placeholder text inside the token',
  filler: 'low-entropy or sequential filler, not a generated secret',
  code: "an identifier or code in the value's place (a name, a member access, a call), not a literal",
  'encoded-data': 'inside a long run of base64 text (encoded data such as an embedded binary), not a token on its own',
  checksum: 'the checksum or structure of the format does not verify: not an issued token',
  'key-header': 'a key header with no key body',
  'elided-key': 'the key body is elided or cut short (documentation)',
  encrypted: 'the key is encrypted with a passphrase',
  'test-mode': 'a test-mode key (no access to live data or money)',
  'public-by-design': 'a key that is public by design (restrict it by referrer or app instead)',
  'example-host': 'documentation example host',
  'doc-comment': 'example in a documentation comment or docstring of an installed package',
  'package-docs': 'documentation shipped by a package',
  'package-test': 'test or example data shipped by a package or language runtime',
  'installed-generic': 'generic match in a file installed by a package (runtime or library code, docs, examples)',
  'package-key':
    "a key shipped in a library package's own files (every user of the package has the same key): published, not the image's own; do not use it",
  'published-key':
    'a private key a package publishes (everyone who installs it has the same key): no secret of this image; if it is used here, replace it',
  'app-test': 'looks like test or example data',
};

export interface Downgrade {
  severity: Severity;
  code: DowngradeCode;
  reason: string;
}

export function downgrade(code: DowngradeCode, severity: Severity = 'info', detail?: string): Downgrade {
  return { severity, code, reason: detail ? `${DOWNGRADE_REASONS[code]} (${detail})` : DOWNGRADE_REASONS[code] };
}

// Case-sensitive upper-case markers: random base62 text holds them with negligible probability.
// Values longer than 120 characters (key bodies, long blobs) are only judged by the markers of 7
// characters or more: in 2,000 random base64 characters a 4-letter word turns up 1 time in ~8,000.
const EXAMPLE_MARKERS =
  /EXAMPLE|example\.(?:com|org|net)|SAMPLE|DUMMY|FAKE|PLACEHOLDER|YOUR[_-]|[Yy]our[_-]?(?:key|token|secret)|XXXXXXXX|xxxxxxxx|0{16}|1234567890abcdef/;
const LONG_MARKERS = /EXAMPLE|PLACEHOLDER|XXXXXXXX|xxxxxxxx/;

/** Why a value matching a format rule is a documented example rather than a live key, or null. */
export function exampleReason(value: string): string | null {
  return (value.length > 120 ? LONG_MARKERS : EXAMPLE_MARKERS).test(value) ? DOWNGRADE_REASONS['example-marker'] : null;
}

// Words of five letters or more that fill a token's place in documentation ("RANDOMSTRINGHERE",
// "your-token-here"), and runs of the characters that stand for a hidden value. (Shorter words
// such as "here" occur in a random 36-character token about once in 30,000: too often.)
const PLACEHOLDER_PARTS =
  /random|string|sample|dummy|placeholder|redacted|insert|replace|changeme|secret_?here|token_?here|key_?here|your_?(?:api|key|token|secret)|x{5,}|X{5,}|\*{3,}|\.{3,}|…|#{3,}|<[^>]*>?|\{\{|\$\{/i;

/** Why a token holds a placeholder instead of random characters, or null. */
export function placeholderPart(random: string): string | null {
  const m = random.match(PLACEHOLDER_PARTS);
  return m ? `"${m[0].length > 12 ? m[0].slice(0, 12) + '…' : m[0]}"` : null;
}

const SEQUENCES = [
  'abcdefghijklmnopqrstuvwxyz',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  '0123456789',
  'qwertyuiop',
  'asdfghjkl',
  'zxcvbnm',
  'QWERTYUIOP',
  'ASDFGHJKL',
  'ZXCVBNM',
];

/** Share of `s` that lies in runs of 4+ characters that follow an alphabet, digits or a keyboard row (either way). */
function sequentialShare(s: string): number {
  let covered = 0;
  let i = 0;
  while (i < s.length) {
    let best = 1;
    for (const seq of SEQUENCES) {
      for (const dir of [1, -1]) {
        let p = seq.indexOf(s[i]);
        if (p < 0) continue;
        let n = 1;
        while (i + n < s.length && seq[p + dir] !== undefined && s[i + n] === seq[p + dir]) {
          p += dir;
          n++;
        }
        if (n > best) best = n;
      }
    }
    if (best >= 4) covered += best;
    i += best;
  }
  return s.length ? covered / s.length : 0;
}

/** Distinct 3-character substrings over all of them: ~1 for random text, low for repeats ("abc123abc123…"). */
function trigramVariety(s: string): number {
  if (s.length < 12) return 1;
  const seen = new Set<string>();
  for (let i = 0; i + 3 <= s.length; i++) seen.add(s.slice(i, i + 3));
  return seen.size / (s.length - 2);
}

/**
 * The default entropy floor of a random part (bits per character): by its length, and no higher
 * than 70% of what its alphabet allows (16 random digits hold ~3.0 bits per character, at most 3.3).
 */
export function defaultEntropyFloor(random: string): number {
  const byLength = random.length >= 20 ? 3.0 : random.length >= 12 ? 2.5 : 0;
  return Math.min(byLength, 0.7 * Math.log2(alphabetOf(random)));
}

/**
 * The size of the alphabet a random part seems drawn from: digits, hex, or the letter cases and
 * digits it holds (+2 for `-_`). Separators (`:` between two hex halves) do not make hex text.
 */
function alphabetOf(random: string): number {
  const core = random.replace(/[-_:.]/g, '');
  return /^[0-9]+$/.test(core)
    ? 10
    : /^[0-9a-f]+$/i.test(core)
      ? 16
      : (/[0-9]/.test(core) ? 10 : 0) + (/[a-z]/.test(core) ? 26 : 0) + (/[A-Z]/.test(core) ? 26 : 0) + 2;
}

/**
 * The highest entropy floor a generated value of this length and alphabet falls below only about
 * once in ten thousand: the expected entropy of `n` characters drawn at random from `k`, less a
 * margin that shrinks with the length (4.2 / √n bits: fitted to simulated quantiles, under 1e-4
 * for 8–64 characters from 10–62). A floor above it (16 random digits against 2.33, 24 random
 * characters against 3.5) downgraded ~1% of real tokens; the fillers people write are caught
 * anyway, far below it or as sequences and repeats.
 */
function randomFloor(n: number, k: number): number {
  const key = n * 1000 + k;
  let floor = floors.get(key);
  if (floor === undefined) {
    // H = log2 n − (1/n) Σ over the k symbols of c log2 c, each count c ~ Binomial(n, 1/k).
    const p = 1 / k;
    let pmf = (1 - p) ** n;
    let cLogC = 0;
    for (let c = 1; c <= n; c++) {
      pmf *= ((n - c + 1) / c) * (p / (1 - p));
      cLogC += pmf * c * Math.log2(c);
    }
    floor = Math.log2(n) - (k * cLogC) / n - 4.2 / Math.sqrt(n);
    floors.set(key, floor);
  }
  return floor;
}
const floors = new Map<number, number>();

/**
 * Code in the value's place: an identifier (SandboxesSandboxAwsMountStaticAuthConfig), or a name of
 * letters that a member access or a call follows (`secret_access_key: Config.SecretAccessKey`,
 * `= readSecretAccessKeyFromTheEnvironment()`). A format's characters spell such names in source
 * code; an issued value is followed by neither.
 */
function codeInPlace(random: string, after: string): boolean {
  // (Names only from 24 characters: shorter random parts, a URL's password, take a name's shape
  // too often — a random 10-character one about once in sixty.)
  if (random.length >= 24 && looksLikeIdentifier(random)) return true;
  return /^[A-Za-z]+$/.test(random) && /^(?:\.[A-Za-z_$]|\()/.test(after);
}

/** Why the random part of a token is a made-up filler, or null. */
export function fillerReason(random: string, floor: number): string | null {
  if (random.length < 8) return null;
  if (sequentialShare(random) >= 0.5) return 'sequential characters';
  if (trigramVariety(random) < 0.5) return 'a repeated pattern';
  const h = shannonEntropy(random);
  if (h >= floor) return null;
  // (Rarely reached: only then is the floor held against what random values of this shape reach.)
  const fair = Math.min(floor, randomFloor(random.length, alphabetOf(random)));
  return h < fair ? `entropy ${h.toFixed(2)} bits per character, below ${Number(fair.toFixed(2))}` : null;
}

/** A letter or a digit. */
function alnumChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** Base64 text's characters, of the standard and the URL-safe alphabet (+ / - _). */
function base64Char(c: number): boolean {
  return alnumChar(c) || c === 43 || c === 47 || c === 45 || c === 95;
}

/** Base64 characters on each side of a match that make it part of encoded data. */
const ENCODED_RUN = 32;

/**
 * Whether `text[start, end)` lies inside a longer run of base64 text: a letter or digit right
 * against each end, and at least ENCODED_RUN base64 characters on each side. That is a stretch of
 * an embedded binary (a base64 wasm module in a JS file, a data: URI, an inline source map) that
 * happens to spell a token's prefix. A token written on its own is bounded by a quote, a space,
 * `=`, `:`, a `/` of a URL path or the line's end; and a real token inside encoded data would be
 * encoded, not readable.
 */
export function insideEncodedRun(text: string, start: number, end: number): boolean {
  if (start === 0 || !alnumChar(text.charCodeAt(start - 1)) || !alnumChar(text.charCodeAt(end))) return false;
  let n = 0;
  for (let i = start - 1; i >= 0 && n < ENCODED_RUN && base64Char(text.charCodeAt(i)); i--) n++;
  if (n < ENCODED_RUN) return false;
  n = 0;
  for (let i = end; i < text.length && n < ENCODED_RUN && base64Char(text.charCodeAt(i)); i++) n++;
  return n >= ENCODED_RUN;
}

/** The value with its fixed prefix taken off: what should be random. */
export function randomPart(rule: SecretRule, value: string): string {
  if (rule.prefixLength !== undefined) return value.slice(rule.prefixLength);
  const low = value.slice(0, 24).toLowerCase();
  let cut = 0;
  for (const k of rule.keywords) if (low.startsWith(k) && k.length > cut) cut = k.length;
  return value.slice(cut);
}

/**
 * The made-up-value judgement every format rule gets after its own check: an example marker, code
 * in the value's place, a placeholder inside the token, a sequential or low-entropy filler.
 * `after`: the text right after the match. Null: nothing against it.
 */
export function judgeValue(rule: SecretRule, value: string, after = ''): Downgrade | null {
  if (exampleReason(value)) return downgrade('example-marker');
  const random = randomPart(rule, value);
  if (codeInPlace(random, after)) return downgrade('code');
  const ph = placeholderPart(random);
  if (ph) return downgrade('placeholder', 'info', ph);
  const filler = fillerReason(random, rule.entropy ?? defaultEntropyFloor(random));
  if (filler) return downgrade('filler', 'info', filler);
  return null;
}

/**
 * Whether the match at `index` of `text` sits in a comment or a docstring: a line that starts
 * with a comment marker (`*`, `//`, `#`, `--`, `;`, `>>>` doctests), a Perl POD or Ruby
 * `=begin` block, or inside a Python triple-quoted string (an odd number of them before it in
 * the window). Used for installed packages, whose comments are their documentation.
 */
export function inComment(text: string, index: number, openQuotes: number, at: TextIndex): boolean {
  const start = at.lastIndexOf('\n', index - 1) + 1;
  const head = text.slice(start, Math.min(index, start + 200)).trimStart();
  // (Not `'`, Visual Basic's marker: in JS and Python it starts a line that continues a string
  // or lists dictionary keys, code whose tokens are the package's own.)
  if (/^(?:\*|\/\/|\/\*|#(?!!)|--|;|>>>|\.\.\.\s|%|rem\s)/i.test(head)) return true;
  if (/\s(?:\/\/|#)\s/.test(head)) return true; // a trailing comment before the match
  if (inDocBlock(text, index, (openQuotes & DOC_BLOCK) !== 0, at)) return true;
  // (`openQuotes`: bit 0, a """ string and bit 1, a ''' string still open from an earlier window.)
  if (((openQuotes & 1) + at.countBefore('"""', index)) % 2 === 1) return true;
  return (((openQuotes >> 1) & 1) + at.countBefore("'''", index)) % 2 === 1;
}

/** The bit of inComment's `openQuotes` for a POD or `=begin` block open from an earlier window. */
const DOC_BLOCK = 4;

// A line that opens a Perl POD block (=pod, =head1, =item…; =begin opens Ruby's block comment too)
// or closes one (=cut; a bare =end closes Ruby's, POD's `=end FORMAT` stays inside).
const DOC_COMMAND =
  /=(?:(cut)|(end)(?=[ \t\r]*(?:\n|$))|pod|head[1-6]|over|item|back|begin|end|for|encoding)(?![A-Za-z0-9_])/y;

/** Whether the line at `at` opens (true) or closes (false) a documentation block; undefined: neither. */
function docCommand(text: string, at: number): boolean | undefined {
  DOC_COMMAND.lastIndex = at;
  const m = DOC_COMMAND.exec(text);
  return m ? m[1] === undefined && m[2] === undefined : undefined;
}

/**
 * Whether `index` lies in a Perl POD block (a line `=head1`, `=item`… up to a line `=cut`) or a
 * Ruby `=begin` … `=end` comment: the nearest such line before it says, else `openBefore` (a
 * block still open from an earlier window).
 */
function inDocBlock(
  text: string,
  index: number,
  openBefore: boolean,
  lines: Pick<TextIndex, 'lastIndexOf'> = text,
): boolean {
  const open = nearestLine(lines, index, '=', (at) => docCommand(text, at));
  // (Given up on a crafted file of `=` lines: not documentation; the match keeps its severity.)
  return open === GAVE_UP ? false : (open ?? openBefore);
}

/** inComment's `openQuotes` with its documentation-block bit as it stands after `text`. */
export function docBlockAfter(text: string, openQuotes: number): number {
  return inDocBlock(text, text.length, (openQuotes & DOC_BLOCK) !== 0)
    ? openQuotes | DOC_BLOCK
    : openQuotes & ~DOC_BLOCK;
}

const DQ3 = Buffer.from('"""');
const SQ3 = Buffer.from("'''");

/** The open-quote bits (see inComment) after `bytes`, given those before them. */
export function quotesAfter(bytes: Uint8Array, openQuotes: number): number {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let dq = openQuotes & 1;
  for (let i = buf.indexOf(DQ3); i >= 0; i = buf.indexOf(DQ3, i + 3)) dq ^= 1;
  let sq = (openQuotes >> 1) & 1;
  for (let i = buf.indexOf(SQ3); i >= 0; i = buf.indexOf(SQ3, i + 3)) sq ^= 1;
  return dq | (sq << 1) | (openQuotes & DOC_BLOCK);
}
