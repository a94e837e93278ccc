/**
 * What a secret rule is: the literal keywords that must appear before its pattern runs (a single
 * pass over the text finds the keywords; patterns only run on the lines that hold one), the
 * pattern (the secret itself is its named group `secret`), and how a match is judged.
 */
import type { Severity } from '../../types.js';

/**
 * Rule families: what the scan report counts files and downgrades by (docs/reports.md), so a
 * user can audit the precision choices family by family.
 */
export const RULE_FAMILIES = [
  'private-key',
  'cloud',
  'vcs-ci',
  'package-registry',
  'chat',
  'payment',
  'ai',
  'messaging',
  'observability',
  'infrastructure',
  'saas',
  'generic',
  'credential-file',
] as const;
export type RuleFamily = (typeof RULE_FAMILIES)[number];

export interface RuleContext {
  /** The whole text window the match was found in (for multi-line formats). */
  text: string;
  /** Offset of the match in `text`. */
  index: number;
}

/**
 * See SecretRule.follows. Classes are written as the body of a regex character class, over
 * bytes (latin1), case-sensitive.
 */
export type Follow =
  /** At least `min` bytes of the class `chars`. */
  | { kind: 'run'; chars: string; min: number }
  /**
   * An assignment: the rest of a key name (bytes of [A-Za-z0-9_.-]; more than 48 of them pass
   * unjudged), an optional quote, spaces or tabs, then ':' or '=' (or ':=', '=>'), spaces or tabs,
   * an optional quote and a value of at least 8 bytes that are neither whitespace nor quotes.
   */
  | { kind: 'assignment' }
  /** An optional quote, whitespace, then ':' (a header, maybe quoted). */
  | { kind: 'colon' }
  /** URL user info: an '@' within 193 bytes, before any whitespace, '/', quote or angle bracket. */
  | { kind: 'userinfo' }
  /** `text` (two bytes) later on the same line. */
  | { kind: 'on-line'; text: string };

/**
 * Why a match was downgraded (stable codes: the JSON report counts them per rule family; the
 * text that goes with each is in precision.ts).
 */
export type DowngradeCode =
  | 'example-marker'
  | 'placeholder'
  | 'filler'
  | 'code'
  | 'encoded-data'
  | 'checksum'
  | 'key-header'
  | 'elided-key'
  | 'encrypted'
  | 'test-mode'
  | 'public-by-design'
  | 'example-host'
  | 'doc-comment'
  | 'package-docs'
  | 'package-test'
  | 'installed-generic'
  | 'package-key'
  | 'published-key'
  | 'app-test';

/** What a rule's check decides: drop the match, or adjust its severity with a reason. */
export type CheckResult =
  | false
  | undefined
  | { severity?: Severity; reason?: string; code?: DowngradeCode; encrypted?: boolean; value?: string };

export interface SecretRule {
  id: string;
  title: string;
  /** Who issued the credential (for messages and SARIF help). */
  service: string;
  family: RuleFamily;
  severity: Severity;
  /**
   * Lower-case literals, three bytes or more; one must occur (in the line, or the window for scope
   * 'window'). Four or more where the format allows: the prefilter's three-byte table holds a
   * three-byte keyword's last two bytes before ANY third byte (keyword-scan.wat), so `:aa` made
   * every `AA` of a source map a candidate, and `://` every `//` comment.
   */
  keywords: string[];
  pattern: RegExp;
  scope?: 'line' | 'window';
  /**
   * What comes right after a keyword wherever the pattern matches (line-scoped rules). The
   * prefilter drops keyword hits without it (follow.ts, and in WebAssembly keyword-scan.wat),
   * so keyword-dense text that cannot match (prose about passwords, URLs without credentials,
   * words like "Asia") never reaches the rule. Every match of the pattern holds one of the
   * rule's keywords followed by this: test/findings/secrets/rules.test.ts checks it on random lines.
   */
  follows?: Follow;
  /**
   * How far before a hit of one of its keywords a match can start (line-scoped rules): every
   * match holds a kept hit at most this many characters after its start. On a long line the
   * pattern is then tried only there (near-hits.ts), not over the whole line.
   * test/findings/secrets/rules.test.ts checks it on random lines.
   */
  reach?: number;
  /**
   * The random part's entropy floor, in bits per character (precision.ts): a value below it is a
   * made-up filler and is downgraded to info. Default: by the random part's length.
   */
  entropy?: number;
  /** Characters of the value before its random part (a fixed prefix: `ghp_` is 4). Default: the keyword it starts with. */
  prefixLength?: number;
  /**
   * Client software embeds keys of this format in what it ships (a Google API key in an SDK or a
   * command-line tool, restricted by API and referrer, not kept secret): in the code of an
   * installed package such a key is the package's own client key, public by design (low).
   */
  clientKey?: boolean;
  /** Extra validation of the value (structure, checksum); may drop or downgrade. */
  check?: (value: string, m: RegExpExecArray, ctx: RuleContext) => CheckResult;
  remediation: string;
}
