/**
 * Which key names hold credentials: ENV and LABEL names, build args, keys in config files. One
 * definition for the config check, the credential-file parsers, the generic secret rule and the
 * explorer's masking (which uses the checks' own judgement, redact.ts).
 */

/** Words in a key name that say its value is a credential (a regex source, no flags). */
export const SECRET_KEY_WORDS =
  'passw(?:or)?d|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|credentials?';

/** A key name that says it holds a credential: the words above, or a name ending in `pass` or `salt`. */
export const SECRET_KEY_NAME = new RegExp(`(?:${SECRET_KEY_WORDS}|(?:^|[_.-])(?:pass|salt)$)`, 'i');

// Last parts of a key name (after the last _ . or -) that say the value is not the secret itself
// but about it: DB_PASSWORD_FILE, token_url, secret.name, api_key_id, PASSWORD_HASH … A Set of
// words: the case-insensitive regex of the same words took ~2 ms to compile at its first use.
const NOT_A_SECRET_END = new Set(
  (
    'file path dir url uri endpoint name len length size type mode header field param prefix suffix format policy timeout ' +
    'expire expires expiry expiration ttl env var hash hashed regex pattern count min max id ids enabled required reset ' +
    'prompt label hint placeholder validator command cmd helper store manager class method algorithm algo kind version ' +
    'storage location source keyid index limit level rule rules fn func callback handler user username sha sha1 sha256 sha512 md5 ' +
    'at time timestamp date seconds secs minutes days duration interval lifetime'
  ).split(' '),
);

/** Whether a key name (ASCII: [A-Za-z0-9_.-]) ends in a word that says it names no secret. */
export function keyNamesNoSecret(key: string): boolean {
  let i = key.length - 1;
  while (i >= 0 && key[i] !== '_' && key[i] !== '.' && key[i] !== '-') i--;
  return NOT_A_SECRET_END.has(key.slice(i + 1).toLowerCase());
}

/** A key whose value is a credential by its name: DB_PASSWORD, api-key, GITHUB_TOKEN (not DB_PASSWORD_FILE). */
export function isSecretKeyName(key: string): boolean {
  return SECRET_KEY_NAME.test(key) && !keyNamesNoSecret(key);
}
