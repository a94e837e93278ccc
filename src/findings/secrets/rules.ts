/**
 * The secret rules: one entry per kind of credential, each in the file of its family
 * (rules/*.ts), with the literal keywords that must appear before its pattern runs (a single
 * pass over the text finds the keywords; patterns only run on the lines that hold one).
 *
 * Severity: critical for credentials that give broad or write access on their own (unencrypted
 * private keys, cloud secret keys, package-publishing and VCS tokens, live payment keys, secret
 * managers); high for other service tokens and webhooks; medium for encrypted keys, JWTs and the
 * generic rule; low for identifiers (client IDs, account SIDs) and test-mode keys.
 */
import { AI_RULES } from './rules/ai.js';
import { CHAT_RULES } from './rules/chat.js';
import { CLOUD_RULES } from './rules/cloud.js';
import { GENERIC_RULES } from './rules/generic.js';
import { INFRA_RULES } from './rules/infra.js';
import { KEY_RULES } from './rules/keys.js';
import { MESSAGING_RULES } from './rules/messaging.js';
import { OBSERVABILITY_RULES } from './rules/observability.js';
import { PACKAGE_RULES } from './rules/packages.js';
import { PAYMENT_RULES } from './rules/payment.js';
import { prefixReach } from './rules/prefix-reach.js';
import { SAAS_RULES } from './rules/saas.js';
import type { SecretRule } from './rules/types.js';
import { VCS_RULES } from './rules/vcs.js';

// Key names whose last part says the value is not the secret itself (DB_PASSWORD_FILE): one list,
// in src/findings/key-names.ts.
export { keyNamesNoSecret } from '../key-names.js';
export { opensshCipher } from './rules/keys.js';
export type { CheckResult, DowngradeCode, Follow, RuleContext, RuleFamily, SecretRule } from './rules/types.js';
export { RULE_FAMILIES } from './rules/types.js';

export const SECRET_RULES: SecretRule[] = [
  ...KEY_RULES,
  ...CLOUD_RULES,
  ...VCS_RULES,
  ...PACKAGE_RULES,
  ...CHAT_RULES,
  ...PAYMENT_RULES,
  ...AI_RULES,
  ...MESSAGING_RULES,
  ...OBSERVABILITY_RULES,
  ...INFRA_RULES,
  ...SAAS_RULES,
  ...GENERIC_RULES,
];

// A line rule whose matches begin with a literal holding its keyword (`ghp_…`) is tried on a long
// line near its keyword's hits only, as the keyed rules are (rules/prefix-reach.ts, near-hits.ts).
for (const rule of SECRET_RULES) {
  if (rule.reach !== undefined || rule.scope === 'window') continue;
  const reach = prefixReach(rule.pattern, rule.keywords);
  if (reach !== undefined) rule.reach = reach;
}

export const RULES_BY_ID = new Map(SECRET_RULES.map((r) => [r.id, r]));
