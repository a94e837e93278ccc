/**
 * Packages found in an image: what the content inspector keeps of one package file while layers
 * stream (FoundPackage, small), and the inventory's packages with their layers (Package).
 */

/** Package URL types (purl spec): one per ecosystem layerlens reads. */
export type PackageType = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'golang' | 'maven' | 'gem' | 'composer' | 'nuget';

/** One package named by one file (a package.json, a METADATA, a lockfile line, a jar, a binary). */
export interface FoundPackage {
  type: PackageType;
  name: string;
  version: string;
  /** Where inside the file: a nested jar (`BOOT-INF/lib/x.jar`), for archives. */
  inner?: string;
}

/** What the inspector keeps of one package file. */
export interface PackageFileData {
  /** What kind of file it was read as (lockfiles count only where no node_modules exist). */
  from: PackageFileKind;
  found: FoundPackage[];
  /** Why some or all of it could not be read ("larger than the read limit"). */
  note?: string;
}

export type PackageFileKind =
  | 'npm-package'
  | 'npm-lockfile'
  | 'yarn-lock'
  | 'pnpm-lock'
  | 'python-metadata'
  | 'composer-installed'
  | 'nuget-deps'
  | 'gemspec'
  | 'java-archive'
  | 'elf';

/** A package of the inventory: one name and version of one ecosystem, wherever it was found. */
export interface Package {
  type: PackageType;
  name: string;
  version: string;
  purl: string;
  /** In-image paths it was found at (a database file, a package.json, `app.jar!/lib/x.jar`). */
  paths: string[];
  /** The layer that introduced it at this version (the earliest of its live copies). */
  layer: number;
  /** The layer that removed it (every copy), or null while the final image still holds it. */
  removedIn: number | null;
  /** How it was found: an OS database, installed metadata, a lockfile, a binary's build info, an archive. */
  foundBy: 'os-database' | 'installed' | 'lockfile' | 'binary' | 'archive';
  /** OS packages: the source package (Debian advisories are per source package) and its version. */
  source?: string;
  sourceVersion?: string;
  arch?: string;
  license?: string;
  /**
   * A language package installed by the OS package manager (Debian's python3-* under
   * /usr/lib/python3/dist-packages): its fixes arrive as OS package updates, so it is matched
   * through the OS package, not against the language's advisories.
   */
  osManaged?: boolean;
}
