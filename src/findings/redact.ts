/**
 * What the explorer shows of an image, with its secrets masked by the checks' own judgement:
 * history commands (build args, ENV/LABEL pairs, tokens in RUN lines), ENV and LABEL values, and
 * file content (the viewer's text and hex views). The UI holds no rule of its own: a value is
 * masked here exactly when a check would report it. With `reveal` everything is shown as is.
 */
import { judgeKeyValue, redactCommand } from './config.js';
import { redactConfigString } from './config-values.js';
import { maskSecret, maskSpans, type Span } from './secrets/mask.js';
import { findSecretSpans } from './secrets/spans.js';

export { redactCommand };
export { redactConfigStrings } from './config-values.js';

/**
 * A history entry as shown: its command with build args and secrets masked, its comment and
 * author masked where the config-value check reports them (unless `reveal`).
 */
export function redactHistoryEntry<T extends { createdBy?: string; comment?: string; author?: string }>(
  h: T,
  reveal = false,
): T {
  if (reveal) return h;
  const out = { ...h };
  if (h.createdBy) out.createdBy = redactCommand(h.createdBy);
  if (h.comment) out.comment = redactConfigString('comment', h.comment);
  if (h.author) out.author = redactConfigString('author', h.author);
  return out;
}
export { maskSecret, mergeSpans, visiblePrefix, type Span } from './secrets/mask.js';

export interface Redacted {
  text: string;
  /** How many values were masked. */
  masked: number;
}

/**
 * A KEY=value pair's value as shown: masked whole when the config check judges the pair a secret
 * by its name (DB_PASSWORD=…), else with every secret inside it masked (a URL's password).
 */
export function redactValue(key: string, value: string, reveal = false): Redacted {
  if (reveal || !value) return { text: value, masked: 0 };
  const inside = maskSpans(value, findSecretSpans(value));
  if (inside.masked) return inside;
  if (judgeKeyValue(key, value)) return { text: maskSecret(value), masked: 1 };
  return { text: value, masked: 0 };
}

/** An ENV entry `KEY=value` as shown. */
export function redactEnv(entry: string, reveal = false): Redacted {
  const i = entry.indexOf('=');
  if (i < 0) return { text: entry, masked: 0 };
  const r = redactValue(entry.slice(0, i), entry.slice(i + 1), reveal);
  return { text: `${entry.slice(0, i)}=${r.text}`, masked: r.masked };
}

/** Where the secrets are in a file's text (`path` picks the credential-file parsers, as in scan). */
export function secretSpans(text: string, path?: string): Span[] {
  return findSecretSpans(text, path);
}

/** A file's text as shown: every secret the rules find masked, line breaks kept. */
export function redactText(text: string, path?: string, reveal = false): Redacted {
  if (reveal) return { text, masked: 0 };
  return maskSpans(text, findSecretSpans(text, path));
}
