/**
 * Builders for the two shapes most rules have: a token with a fixed prefix or structure (found by
 * its prefix), and a service credential found by the service's name in a key name (`ADAFRUIT_KEY =
 * …`), whose value alone is too plain to tell (32 hex characters).
 */
import type { Severity } from '../../types.js';
import { keyNamesNoSecret } from '../../key-names.js';
import { looksLikeIdentifier } from '../placeholder.js';
import type { RuleFamily, SecretRule } from './types.js';

export const ROTATE =
  'Revoke or rotate it now, rebuild the image without it (a later `rm` does not remove it from earlier layers), and pass it at build time with `RUN --mount=type=secret` or at run time from a secret store.';
export const KEY_REMEDIATION =
  'Treat the key as compromised: replace it, rebuild without it (a later `rm` does not remove it from earlier layers), and mount it at run time or at build time with `RUN --mount=type=secret`.';

export interface TokenSpec {
  id: string;
  title: string;
  service: string;
  severity: Severity;
  keywords: string[];
  pattern: RegExp;
}

/** A rule of `family` with the usual remediation; `extra` sets anything else. */
export function token(family: RuleFamily, spec: TokenSpec, extra: Partial<SecretRule> = {}): SecretRule {
  return { ...spec, family, remediation: ROTATE, ...extra };
}

/** The end of a token value: what may follow it (a quote, a separator, an escaped newline, the end). */
export const END = String.raw`(?=[\s"'\x60;,)\]}<>|]|\\[nr]|$)`;

export interface KeyedSpec {
  id: string;
  title: string;
  service: string;
  severity: Severity;
  /** Lower-case words one of which the key name holds (`adafruit`; `new_relic`). */
  names: string[];
  /**
   * The prefilter's keywords, when not the names: a part of each name whose three-byte pieces
   * are rare in text (`lgolia` for algolia: "oli" is in every "policy"). Any part of a name works, as
   * the rest of the key name may follow a keyword hit.
   */
  keywords?: string[];
  /** The value, as regex source (the whole rule is case-insensitive, as the services' keys are). */
  value: string;
  entropy?: number;
  /** Characters before the value's random part (`NRAK-`: 5). */
  prefixLength?: number;
  /** The rule finds identifiers (client IDs): key names ending in `_id` are what it looks for. */
  identifier?: boolean;
}

/**
 * A credential known by the service's name in its key name and the shape of its value:
 * `<key containing a name> = "<value>"` (also `:`, `:=`, `=>`, quoted keys, YAML). The prefilter
 * lets a name's hits through only when an assignment follows the rest of the key name.
 */
export function keyed(family: RuleFamily, spec: KeyedSpec, extra: Partial<SecretRule> = {}): SecretRule {
  const names = spec.names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const pattern = new RegExp(
    String.raw`(?<![A-Za-z0-9_.-])(?<key>[A-Za-z0-9_.-]{0,40}?(?:${names})[A-Za-z0-9_.-]{0,40}?)["']?[ \t]*(?::=|=>|[:=])[ \t]*["'\x60]?(?<secret>${spec.value})${END}`,
    'gi',
  );
  const rule: SecretRule = {
    id: spec.id,
    title: spec.title,
    service: spec.service,
    family,
    severity: spec.severity,
    keywords: spec.keywords ?? spec.names,
    pattern,
    follows: { kind: 'assignment' },
    // (The key name's 40 characters before the name; a keyword lies within its name.)
    reach: 40 + Math.max(...spec.names.map((n) => n.length)),
    remediation: ROTATE,
    ...extra,
  };
  // A key name that says the value is not the credential (SERVICE_TOKEN_URL, twitter_handle_id).
  // A value that reads as code (CLOUDFLARE_DURABLE_OBJECT_BINDINGS, an identifier) is not one
  // either, nor a name assigned itself (`exports.resolveVercelToken2x = resolveVercelToken2x`).
  const own = rule.check;
  rule.check = (v, m, ctx) =>
    (!spec.identifier && keyNamesNoSecret(m.groups!.key)) ||
    looksLikeIdentifier(v) ||
    m.groups!.key.slice(m.groups!.key.lastIndexOf('.') + 1) === v
      ? false
      : own
        ? own(v, m, ctx)
        : undefined;
  if (spec.entropy !== undefined) rule.entropy = spec.entropy;
  if (spec.prefixLength !== undefined) rule.prefixLength = spec.prefixLength;
  return rule;
}

/** A UUID, as regex source (case-insensitive rules). */
export const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
