/**
 * Credential files recognised by path and parsed by format: the value found is a credential
 * because of where it sits (`_authToken=` in .npmrc, `password` in .netrc), whatever it looks like.
 * Keystores are binary: their presence is the finding.
 */
import type { Severity } from '../types.js';
import { SECRET_KEY_NAME } from '../key-names.js';
import { placeholderReason } from './placeholder.js';

export interface CredentialHit {
  line: number | null;
  key?: string;
  value: string;
  /** Text shown before the masked value in the evidence. */
  before: string;
  severity?: Severity;
  reason?: string;
}

export interface CredentialFileRule {
  id: string;
  title: string;
  service: string;
  severity: Severity;
  /** Whether this parser reads `path` (absolute in-image path). */
  matches(path: string, base: string): boolean;
  /** Binary files: reported by presence, content not parsed. */
  binary?: boolean;
  parse(text: string): CredentialHit[];
  remediation: string;
}

const ROTATE =
  'Rotate the credential, rebuild without the file (a later `rm` does not remove it from earlier layers), and mount it at build time with `RUN --mount=type=secret` or at run time.';

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

function isReal(v: string): boolean {
  return v.length > 0 && !placeholderReason(v) && !/^\$\{?[A-Za-z_]/.test(v);
}

/** `key = value` lines (ini, properties, .env); comments skipped. */
function keyValues(
  text: string,
  keyRe: RegExp,
  // (The value is trimmed after the match, not by `\s*(.*?)\s*$` in it: that took seconds on a
  // line of 60 KB of blanks, and a file has many lines.)
  sep = /^\s*(?:export\s+)?([A-Za-z0-9_.:/@-]+)\s*[=:](.*)$/s,
): CredentialHit[] {
  const out: CredentialHit[] = [];
  lines(text).forEach((l, i) => {
    if (/^\s*[#;]/.test(l)) return;
    const m = l.match(sep);
    if (!m || !keyRe.test(m[1])) return;
    const raw = m[2].trim();
    const value = raw.replace(/^(["'])(.*)\1$/, '$2');
    if (!isReal(value)) return;
    out.push({ line: i + 1, key: m[1], value, before: l.slice(0, l.indexOf(raw)).trimStart() });
  });
  return out;
}

export const CREDENTIAL_FILE_RULES: CredentialFileRule[] = [
  {
    id: 'secret-npmrc-auth',
    title: 'npm registry credentials in .npmrc',
    service: 'npm',
    severity: 'critical',
    matches: (_p, b) => b === '.npmrc' || b === 'npmrc',
    parse: (t) => keyValues(t, /(?:^|:)(?:_authToken|_auth|_password)$/),
    remediation: ROTATE + ' For npm, use `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`.',
  },
  {
    id: 'secret-pypirc-password',
    title: 'Package index password in .pypirc',
    service: 'PyPI',
    severity: 'critical',
    matches: (_p, b) => b === '.pypirc',
    parse: (t) => keyValues(t, /^password$/),
    remediation: ROTATE,
  },
  {
    id: 'secret-netrc-password',
    title: 'Password in .netrc',
    service: 'netrc',
    severity: 'high',
    matches: (_p, b) => b === '.netrc' || b === '_netrc',
    parse: (t) => {
      const out: CredentialHit[] = [];
      lines(t).forEach((l, i) => {
        const re = /\bpassword\s+(\S+)/g;
        for (let m; (m = re.exec(l)); ) {
          if (isReal(m[1]))
            out.push({
              line: i + 1,
              key: 'password',
              value: m[1],
              before: l.slice(0, m.index).trimStart() + 'password ',
            });
        }
      });
      return out;
    },
    remediation: ROTATE,
  },
  {
    id: 'secret-git-credentials',
    title: 'Stored Git credentials (.git-credentials)',
    service: 'Git',
    severity: 'critical',
    matches: (_p, b) => b === '.git-credentials',
    parse: (t) => {
      const out: CredentialHit[] = [];
      lines(t).forEach((l, i) => {
        const m = l.match(/^\s*([a-z][a-z0-9+.-]*:\/\/[^:@\s]*:)([^@\s]+)@/i);
        if (m && isReal(m[2])) out.push({ line: i + 1, value: m[2], before: m[1] });
      });
      return out;
    },
    remediation: ROTATE,
  },
  {
    id: 'secret-docker-config-auth',
    title: 'Registry credentials in Docker config.json',
    service: 'container registry',
    severity: 'critical',
    matches: (p, b) => b === 'config.json' && /\/\.docker\/config\.json$/.test(p),
    parse: (t) => {
      let doc: { auths?: Record<string, { auth?: string; identitytoken?: string; password?: string }> };
      try {
        doc = JSON.parse(t);
      } catch {
        return [];
      }
      const out: CredentialHit[] = [];
      for (const [host, entry] of Object.entries(doc.auths ?? {})) {
        if (!entry || typeof entry !== 'object') continue;
        const line = lineOf(t, host);
        if (typeof entry.auth === 'string' && entry.auth) {
          const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
          const i = decoded.indexOf(':');
          const user = i >= 0 ? decoded.slice(0, i) : '';
          const pass = i >= 0 ? decoded.slice(i + 1) : decoded;
          if (isReal(pass)) out.push({ line, key: host, value: pass, before: `auths["${host}"].auth = ${user}:` });
        }
        for (const k of ['identitytoken', 'password'] as const) {
          const v = entry[k];
          if (typeof v === 'string' && isReal(v))
            out.push({ line, key: host, value: v, before: `auths["${host}"].${k} = ` });
        }
      }
      return out;
    },
    remediation: ROTATE + ' Log in at run time, or use a credential helper.',
  },
  {
    id: 'secret-kubeconfig-credentials',
    title: 'Kubernetes credentials in a kubeconfig',
    service: 'Kubernetes',
    severity: 'critical',
    matches: (p, b) =>
      (b === 'config' && /\/\.kube\/config$/.test(p)) ||
      /kubeconfig/i.test(b) ||
      (b.endsWith('.conf') && /^(?:admin|kubelet|controller-manager|scheduler)\.conf$/.test(b)),
    parse: (t) => {
      if (!/\bapiVersion\b|\bclusters\s*:|\busers\s*:/.test(t)) return [];
      const out: CredentialHit[] = [];
      lines(t).forEach((l, i) => {
        const m = l.match(/^(\s*(?:-\s*)?(client-key-data|token|password|client-key)\s*:\s*)["']?([^\s"']+)/);
        if (m && isReal(m[3])) out.push({ line: i + 1, key: m[2], value: m[3], before: m[1].trimStart() });
      });
      return out;
    },
    remediation:
      'Revoke the credential (delete the service account token / reissue the client certificate), rebuild without the kubeconfig, and mount it at run time.',
  },
  {
    id: 'secret-aws-credentials-file',
    title: 'AWS credentials file',
    service: 'AWS',
    severity: 'critical',
    matches: (p, b) => (b === 'credentials' || b === 'config') && /\/\.aws\/(?:credentials|config)$/.test(p),
    parse: (t) => keyValues(t, /^(?:aws_secret_access_key|aws_session_token)$/i),
    remediation:
      'Deactivate the access key in IAM, rebuild without the file, and use an instance/task role or a mounted secret.',
  },
  {
    id: 'secret-pgpass',
    title: 'PostgreSQL password file (.pgpass)',
    service: 'PostgreSQL',
    severity: 'high',
    matches: (_p, b) => b === '.pgpass' || b === 'pgpass.conf',
    parse: (t) => {
      const out: CredentialHit[] = [];
      lines(t).forEach((l, i) => {
        if (/^\s*#/.test(l)) return;
        // host:port:database:user:password — colons inside fields are escaped with a backslash.
        const fields = l.split(/(?<!\\):/);
        if (fields.length < 5) return;
        const value = fields.slice(4).join(':');
        if (isReal(value)) out.push({ line: i + 1, key: fields[3], value, before: fields.slice(0, 4).join(':') + ':' });
      });
      return out;
    },
    remediation: ROTATE,
  },
  {
    id: 'secret-maven-settings-password',
    title: 'Server password in Maven settings.xml',
    service: 'Maven',
    severity: 'high',
    matches: (p, b) => b === 'settings.xml' && /\/\.m2\/|\/maven[^/]*\/conf\/|\/usr\/share\/maven/.test(p),
    parse: (t) => {
      const out: CredentialHit[] = [];
      const re = /<(password|passphrase|privateKey)>([^<]+)<\/\1>/g;
      for (let m; (m = re.exec(t)); ) {
        const v = m[2].trim();
        if (!isReal(v) || /^\$\{/.test(v)) continue;
        const encrypted = /^\{[A-Za-z0-9+/=]{16,}\}$/.test(v);
        out.push({
          line: lineAt(t, m.index),
          key: m[1],
          value: v,
          before: `<${m[1]}>`,
          ...(encrypted ? { severity: 'low' as Severity, reason: 'encrypted with the Maven master password' } : {}),
        });
      }
      return out;
    },
    remediation: ROTATE + ' Use `${env.VAR}` references in settings.xml.',
  },
  {
    id: 'secret-nuget-password',
    title: 'Package source password in nuget.config',
    service: 'NuGet',
    severity: 'high',
    matches: (_p, b) => b.length === 12 && /^nuget\.config$/i.test(b),
    parse: (t) => {
      const out: CredentialHit[] = [];
      const re = /<add\s+key="(ClearTextPassword|Password)"\s+value="([^"]+)"/gi;
      for (let m; (m = re.exec(t)); ) {
        if (!isReal(m[2]) || /^%[A-Za-z_]+%$/.test(m[2])) continue;
        const clear = /^ClearTextPassword$/i.test(m[1]);
        out.push({
          line: lineAt(t, m.index),
          key: m[1],
          value: m[2],
          before: `<add key="${m[1]}" value="`,
          ...(clear
            ? {}
            : { severity: 'medium' as Severity, reason: 'encrypted with the machine key (DPAPI), still a credential' }),
        });
      }
      return out;
    },
    remediation: ROTATE,
  },
  {
    id: 'secret-dotenv',
    title: 'Secret in a .env file',
    service: 'dotenv',
    severity: 'high',
    matches: (_p, b) =>
      b.startsWith('.env') && (b === '.env' || /^\.env\.(?!example$|sample$|template$|dist$)[\w.-]+$/.test(b)),
    parse: (t) => keyValues(t, SECRET_KEY_NAME).filter((h) => h.value.length >= 6),
    remediation: ROTATE + ' Keep .env files out of the build context (.dockerignore).',
  },
  {
    id: 'secret-wp-config',
    title: 'WordPress database password or keys in wp-config.php',
    service: 'WordPress',
    severity: 'high',
    matches: (_p, b) => b === 'wp-config.php',
    parse: (t) => {
      const out: CredentialHit[] = [];
      const re =
        /define\(\s*['"](DB_PASSWORD|AUTH_KEY|SECURE_AUTH_KEY|LOGGED_IN_KEY|NONCE_KEY|AUTH_SALT|SECURE_AUTH_SALT|LOGGED_IN_SALT|NONCE_SALT)['"]\s*,\s*['"]([^'"]*)['"]/g;
      for (let m; (m = re.exec(t)); ) {
        if (!isReal(m[2]) || /put your unique phrase here|password_here/i.test(m[2])) continue;
        out.push({ line: lineAt(t, m.index), key: m[1], value: m[2], before: `define('${m[1]}', '` });
      }
      return out;
    },
    remediation: ROTATE + " Read them from the environment (getenv('WORDPRESS_DB_PASSWORD')).",
  },
  {
    id: 'secret-keystore-file',
    title: 'Keystore file (PKCS#12 / JKS)',
    service: 'PKI',
    severity: 'medium',
    binary: true,
    matches: (_p, b) => /\.(?:p12|pfx|jks|keystore|bcfks)$/i.test(b),
    parse: () => [],
    remediation:
      'A keystore usually holds private keys: keep it out of the image and mount it at run time; rotate the keys if the image was shared.',
  },
];

export function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function lineOf(text: string, needle: string): number | null {
  const i = text.indexOf(needle);
  return i < 0 ? null : lineAt(text, i);
}

/** The credential-file rules that apply to `path`. */
export function credentialRulesFor(path: string): CredentialFileRule[] {
  // Called for every file of every layer (500k on large images): a cheap test on the file name
  // first (no rule can match the others), no array unless one matches.
  let slash = path.length - 1;
  while (slash >= 0 && path.charCodeAt(slash) !== 47) slash--;
  const base = path.slice(slash + 1);
  if (!mayBeCredentialFile(base)) return NONE;
  let out: CredentialFileRule[] | undefined;
  for (const r of CREDENTIAL_FILE_RULES) if (r.matches(path, base)) (out ??= []).push(r);
  return out ?? NONE;
}

/**
 * False only for file names that no rule of CREDENTIAL_FILE_RULES matches (test/findings checks
 * this against the rules on a list of names): dot files (.npmrc, .env…), the rules' other exact
 * names, any name containing "kubeconfig", keystore extensions. (It runs for every file of every
 * layer: most names are settled by one Set lookup and a character test.)
 */
export function mayBeCredentialFile(base: string): boolean {
  const len = base.length;
  if (len === 0) return false;
  const c = base.charCodeAt(0);
  if (c === 0x2e || NAMED.has(base)) return true;
  // nuget.config in any case (12 letters).
  if (len === 12 && (c | 0x20) === 0x6e && base.toLowerCase() === 'nuget.config') return true;
  // At the end: a keystore extension (.p12 .pfx .jks .keystore .bcfks: last letter 2 x s e).
  const last = base.charCodeAt(len - 1) | 0x20;
  if ((last === 0x32 || last === 0x78 || last === 0x73 || last === 0x65) && KEYSTORE_NAME.test(base)) return true;
  // Anywhere in the name: kubeconfig (10 letters).
  return len >= 10 && /kubeconfig/i.test(base);
}
/** The exact names the rules read that do not start with a dot. */
const NAMED = new Set([
  'npmrc',
  '_netrc',
  'config',
  'config.json',
  'credentials',
  'pgpass.conf',
  'settings.xml',
  'wp-config.php',
  'admin.conf',
  'kubelet.conf',
  'controller-manager.conf',
  'scheduler.conf',
]);
const KEYSTORE_NAME = /\.(?:p12|pfx|jks|keystore|bcfks)$/i;
const NONE: CredentialFileRule[] = Object.freeze([]) as unknown as CredentialFileRule[];
