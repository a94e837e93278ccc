/** OS package records as read from the package managers' databases (the subset SBOMs need). */
import type { PasswdEntry } from './passwd.js';

export type PackageManager = 'dpkg' | 'apk' | 'rpm';

export interface OsPackage {
  name: string;
  version: string;
  arch?: string;
  /** Source package name (dpkg Source:, apk origin, rpm SOURCERPM) when it differs. */
  source?: string;
  sourceVersion?: string;
  license?: string;
  manager: PackageManager;
}

/** What the content inspector keeps of one OS file (parsed at the end of the file). */
export type OsFileData = (
  | { kind: 'os-release'; fields: Record<string, string> }
  | { kind: 'packages'; manager: PackageManager; packages: OsPackage[]; truncated?: boolean }
  | { kind: 'rpm-db'; format: 'sqlite' | 'bdb' | 'ndb'; packages?: OsPackage[]; note?: string }
  /** /etc/passwd: who a USER name is (run-user.ts). */
  | { kind: 'passwd'; users: PasswdEntry[] }
) & {
  /** Read from a file of a well-known name at another path: counts only where a link leads to it (os/locate.ts). */
  linkOnly?: true;
};

/**
 * Deb822 paragraphs (dpkg status, status.d files). Field names are matched in any case, as dpkg
 * (and trivy) read them: a `package:` line is the package's name, not a line to skip.
 */
const NO_FILES = new Set(['not-installed', 'config-files', '']);
/**
 * The fields read below, and the bounds of their names' lengths: a status file is thousands of
 * lines, read once in each fresh `scan` (~4 ms when every field was kept). Lower-casing never
 * shortens a name, and where it lengthens one (İ) it adds a character none of these holds.
 */
const DPKG_FIELDS = new Set(['package', 'version', 'status', 'architecture', 'source']);
const FIELD_MIN = 6;
const FIELD_MAX = 12;

export function parseDpkgStatus(text: string): OsPackage[] {
  const out: OsPackage[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const f: Record<string, string> = {};
    for (const line of para.split('\n')) {
      const c = line.charCodeAt(0);
      if (c === 32 || c === 9) continue; // continuation lines (descriptions, conffiles)
      const i = line.indexOf(':');
      if (i < FIELD_MIN || i > FIELD_MAX) continue; // (also no name: i <= 0)
      const name = line.slice(0, i).toLowerCase();
      if (DPKG_FIELDS.has(name)) f[name] = line.slice(i + 1).trim();
    }
    if (!f.package || !f.version) continue;
    // status.d files (distroless) carry no Status field; dpkg status does: "want flag status".
    // The package's files are on disk in every state but two (dpkg(1), package states): in
    // not-installed and config-files (removed, its conffiles kept) they are not.
    if (f.status && NO_FILES.has(f.status.split(/\s+/)[2] ?? '')) continue;
    const pkg: OsPackage = { name: f.package, version: f.version, manager: 'dpkg' };
    if (f.architecture) pkg.arch = f.architecture;
    if (f.source) {
      const m = f.source.match(/^(\S+)(?:\s+\(([^)]+)\))?/);
      if (m) {
        if (m[1] !== f.package) pkg.source = m[1];
        if (m[2]) pkg.sourceVersion = m[2];
      }
    }
    out.push(pkg);
  }
  return out;
}

/** Alpine's /lib/apk/db/installed: paragraphs of `X:value` lines. */
export function parseApkInstalled(text: string): OsPackage[] {
  const out: OsPackage[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const f: Record<string, string> = {};
    for (const line of para.split('\n')) {
      const m = line.match(/^([A-Za-z]):(.*)$/);
      if (m && !(m[1] in f)) f[m[1]] = m[2];
    }
    if (!f.P || !f.V) continue;
    const pkg: OsPackage = { name: f.P, version: f.V, manager: 'apk' };
    if (f.A) pkg.arch = f.A;
    if (f.o && f.o !== f.P) pkg.source = f.o;
    if (f.L) pkg.license = f.L;
    out.push(pkg);
  }
  return out;
}

/** /etc/os-release: KEY=value with shell quoting. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*([A-Z0-9_]+)=(.*)$/);
    if (!m) continue;
    let v = m[2].trim();
    if (/^".*"$/.test(v)) v = v.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
    else if (/^'.*'$/.test(v)) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}
