/**
 * The few OS files the inventory needs, kept (parsed, small) while layers stream: os-release,
 * dpkg status (and distroless status.d files), apk's installed db, and the rpm database.
 */
import type { OsFileData } from './packages.js';
import { parseApkInstalled, parseDpkgStatus, parseOsRelease } from './packages.js';
import { readRpmSqlite } from './rpm-sqlite.js';

type OsFileKind = 'os-release' | 'dpkg' | 'apk' | 'rpm-sqlite' | 'rpm-bdb' | 'rpm-ndb';

/** Which OS file `path` is, if any (all of them are under /etc, /usr, /var or /lib). */
export function osFileKind(path: string): OsFileKind | undefined {
  switch (path) {
    case '/etc/os-release':
    case '/usr/lib/os-release':
      return 'os-release';
    case '/var/lib/dpkg/status':
      return 'dpkg';
    case '/lib/apk/db/installed':
    case '/usr/lib/apk/db/installed':
      return 'apk';
    case '/var/lib/rpm/rpmdb.sqlite':
    case '/usr/lib/sysimage/rpm/rpmdb.sqlite':
      return 'rpm-sqlite';
    case '/var/lib/rpm/Packages':
    case '/usr/lib/sysimage/rpm/Packages':
      return 'rpm-bdb';
    case '/var/lib/rpm/Packages.db':
    case '/usr/lib/sysimage/rpm/Packages.db':
      return 'rpm-ndb';
  }
  if (path.startsWith('/var/lib/dpkg/status.d/') && !path.endsWith('.md5sums') && path.split('/').length === 6) return 'dpkg';
  return undefined;
}

// Text databases are small (a few MB for a large Debian image); the cap protects against abuse.
const TEXT_CAP = 32 * 1024 * 1024;
const RPM_SQLITE_CAP = 128 * 1024 * 1024;

export class OsFileCollector {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private truncated = false;

  constructor(private readonly kind: OsFileKind) {}

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
    const buf = Buffer.concat(this.chunks);
    this.chunks = [];
    switch (this.kind) {
      case 'os-release':
        return { kind: 'os-release', fields: parseOsRelease(buf.toString('utf8')) };
      case 'dpkg':
        return { kind: 'packages', manager: 'dpkg', packages: parseDpkgStatus(buf.toString('utf8')), ...(this.truncated ? { truncated: true } : {}) };
      case 'apk':
        return { kind: 'packages', manager: 'apk', packages: parseApkInstalled(buf.toString('utf8')), ...(this.truncated ? { truncated: true } : {}) };
      case 'rpm-sqlite': {
        if (this.truncated) return { kind: 'rpm-db', format: 'sqlite', note: 'rpm database present, inventory not read (larger than the read limit)' };
        try {
          return { kind: 'rpm-db', format: 'sqlite', packages: readRpmSqlite(buf) };
        } catch (err) {
          return { kind: 'rpm-db', format: 'sqlite', note: `rpm database present, inventory not read (${err instanceof Error ? err.message : String(err)})` };
        }
      }
      case 'rpm-bdb':
        return { kind: 'rpm-db', format: 'bdb', note: 'rpm database present (Berkeley DB format), inventory not read' };
      case 'rpm-ndb':
        return { kind: 'rpm-db', format: 'ndb', note: 'rpm database present (ndb format), inventory not read' };
    }
  }
}
