/**
 * The few OS files the inventory needs, kept (parsed, small) while layers stream: os-release,
 * dpkg status (and distroless status.d files), apk's installed db, and the rpm database; and
 * /etc/passwd, which says who USER is (run-user.ts).
 */
import type { OsFileData } from './packages.js';
import { parseApkInstalled, parseDpkgStatus, parseOsRelease } from './packages.js';
import { parsePasswd } from './passwd.js';
import { readRpmSqlite } from './rpm-sqlite.js';
import { ownStrings } from '../../text/own-copy.js';
import { KnownNames } from '../known-names.js';

export type OsFileKind = 'os-release' | 'dpkg' | 'apk' | 'rpm-sqlite' | 'rpm-bdb' | 'rpm-ndb' | 'passwd';

const OS_FILES = new Map<string, OsFileKind>([
  ['etc/os-release', 'os-release'],
  ['etc/passwd', 'passwd'],
  ['usr/lib/os-release', 'os-release'],
  ['var/lib/dpkg/status', 'dpkg'],
  ['lib/apk/db/installed', 'apk'],
  ['usr/lib/apk/db/installed', 'apk'],
  ['var/lib/rpm/rpmdb.sqlite', 'rpm-sqlite'],
  ['usr/lib/sysimage/rpm/rpmdb.sqlite', 'rpm-sqlite'],
  ['var/lib/rpm/Packages', 'rpm-bdb'],
  ['usr/lib/sysimage/rpm/Packages', 'rpm-bdb'],
  ['var/lib/rpm/Packages.db', 'rpm-ndb'],
  ['usr/lib/sysimage/rpm/Packages.db', 'rpm-ndb'],
]);
// Their base names, each with its kind: a file named otherwise is none of them, known before its
// path is joined (this runs for every file of every layer).
const OS_FILE_NAMES = new KnownNames<OsFileKind>([...OS_FILES].map(([p, k]) => [p.slice(p.lastIndexOf('/') + 1), k]));

/**
 * An OS file to keep: its kind, and whether its path is a well-known one. A file of a well-known
 * name elsewhere (`/opt/users/passwd`, `/opt/d/status`) is kept too, for a link at the
 * well-known path may lead to it (`/etc/passwd -> /opt/users/passwd`, `/var/lib/dpkg ->
 * /opt/d`): runc, dpkg and apk read through links. It counts only where one does
 * (os/locate.ts).
 */
export interface OsFile {
  readonly kind: OsFileKind;
  /** False: kept for its name only (`linkOnly` on its data). */
  readonly atPath: boolean;
}

// One object per kind and placement (this answers for every file named so).
const OS_FILE = new Map<string, OsFile>(
  [...new Set(OS_FILES.values())].flatMap((kind) => [
    [`${kind}:1`, Object.freeze({ kind, atPath: true })],
    [`${kind}:0`, Object.freeze({ kind, atPath: false })],
  ]),
);
const osFile = (kind: OsFileKind, atPath: boolean): OsFile => OS_FILE.get(`${kind}:${atPath ? 1 : 0}`)!;

/**
 * Which OS file the path with these components is (`['etc', 'os-release']`), if any: the files
 * above and distroless images' /var/lib/dpkg/status.d/NAME (not its .md5sums) at their paths,
 * and files of those names anywhere else (see OsFile).
 */
export function osFileKind(parts: readonly string[]): OsFile | undefined {
  const n = parts.length;
  const base = parts[n - 1];
  if (n >= 2 && parts[n - 2] === 'status.d') {
    if (base.endsWith('.md5sums')) return undefined;
    return osFile('dpkg', n === 5 && parts[0] === 'var' && parts[1] === 'lib' && parts[2] === 'dpkg');
  }
  const kind = OS_FILE_NAMES.get(base);
  if (kind === undefined) return undefined;
  return osFile(kind, OS_FILES.get(parts.join('/')) === kind);
}

/**
 * Files of those names away from their paths kept per load, at most (findings/index.ts): an image
 * of a million files named `status` is not a million dpkg databases parsed. A link to one past
 * the bound is reported as not read (os/locate.ts).
 */
export const OS_BY_NAME_MAX = 256;

/** The well-known paths of each kind, as open(2) reads them (os/locate.ts). */
export const OS_FILE_PATHS: ReadonlyArray<readonly [string, OsFileKind]> = [...OS_FILES].map(([p, k]) => [`/${p}`, k]);

// Text databases are small (a few MB for a large Debian image); the cap protects against abuse.
const TEXT_CAP = 32 * 1024 * 1024;
const RPM_SQLITE_CAP = 128 * 1024 * 1024;

export class OsFileCollector {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private truncated = false;

  constructor(
    private readonly kind: OsFileKind,
    /** Kept for its name only: its data is marked `linkOnly` (see OsFile). */
    private readonly linkOnly = false,
  ) {}

  write(chunk: Buffer): void {
    if (this.kind === 'rpm-bdb' || this.kind === 'rpm-ndb') return; // presence is all we report
    const cap = this.kind === 'rpm-sqlite' ? RPM_SQLITE_CAP : TEXT_CAP;
    if (this.bytes + chunk.length > cap) {
      this.truncated = true;
      chunk = chunk.subarray(0, Math.max(0, cap - this.bytes));
    }
    if (chunk.length) {
      // Copy: the parser may hand out views of a buffer it reuses.
      this.chunks.push(Buffer.from(chunk));
      this.bytes += chunk.length;
    }
  }

  end(): OsFileData | undefined {
    // (Kept with the file's version: its strings copied, not views of the file's whole text.)
    const data = ownStrings(this.read());
    if (data && this.linkOnly) data.linkOnly = true;
    return data;
  }

  private read(): OsFileData | undefined {
    // (One chunk, most files: already a copy of its own, not copied again.)
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [];
    switch (this.kind) {
      case 'os-release':
        return { kind: 'os-release', fields: parseOsRelease(buf.toString('utf8')) };
      case 'passwd':
        return { kind: 'passwd', users: parsePasswd(buf.toString('utf8')) };
      case 'dpkg':
        return {
          kind: 'packages',
          manager: 'dpkg',
          packages: parseDpkgStatus(buf.toString('utf8')),
          ...(this.truncated ? { truncated: true } : {}),
        };
      case 'apk':
        return {
          kind: 'packages',
          manager: 'apk',
          packages: parseApkInstalled(buf.toString('utf8')),
          ...(this.truncated ? { truncated: true } : {}),
        };
      case 'rpm-sqlite': {
        if (this.truncated)
          return {
            kind: 'rpm-db',
            format: 'sqlite',
            note: 'rpm database present, inventory not read (larger than the read limit)',
          };
        try {
          return { kind: 'rpm-db', format: 'sqlite', packages: readRpmSqlite(buf) };
        } catch (err) {
          return {
            kind: 'rpm-db',
            format: 'sqlite',
            note: `rpm database present, inventory not read (${err instanceof Error ? err.message : String(err)})`,
          };
        }
      }
      case 'rpm-bdb':
        return { kind: 'rpm-db', format: 'bdb', note: 'rpm database present (Berkeley DB format), inventory not read' };
      case 'rpm-ndb':
        return { kind: 'rpm-db', format: 'ndb', note: 'rpm database present (ndb format), inventory not read' };
    }
  }
}
