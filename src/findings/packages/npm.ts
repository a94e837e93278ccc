/**
 * npm packages: an installed package's package.json, and the lockfiles an application ships
 * (package-lock.json / npm-shrinkwrap.json v1–v3, yarn.lock v1 and berry, pnpm-lock.yaml v5–v9),
 * which count only where no node_modules was installed beside them (see inventory.ts).
 */
import type { FoundPackage } from './types.js';

/** A version worth matching: an exact release, not a URL, path, tag or range. */
function exact(v: unknown): v is string {
  return typeof v === 'string' && /^v?\d+\.\d+/.test(v) && !/[\s:/]/.test(v);
}

function npm(name: string, version: string): FoundPackage {
  return { type: 'npm', name, version: version.replace(/^v/, '') };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function parseNpmPackageJson(text: string): FoundPackage[] {
  const j = parseJson(text) as { name?: unknown; version?: unknown } | undefined;
  if (!j || typeof j.name !== 'string' || !exact(j.version)) return [];
  return [npm(j.name, j.version)];
}

type LockDeps = Record<string, { version?: unknown; dependencies?: LockDeps }>;

export function parsePackageLock(text: string): FoundPackage[] {
  const j = parseJson(text) as
    | {
        packages?: Record<string, { name?: unknown; version?: unknown; link?: unknown } | null>;
        dependencies?: LockDeps;
      }
    | undefined;
  if (!j || typeof j !== 'object') return [];
  const out: FoundPackage[] = [];
  if (j.packages && typeof j.packages === 'object') {
    // v2/v3: "node_modules/a/node_modules/@s/b": { version } ("" is the project itself).
    for (const [key, e] of Object.entries(j.packages)) {
      if (!key || !e || typeof e !== 'object' || e.link) continue;
      const at = key.lastIndexOf('node_modules/');
      const name = typeof e.name === 'string' ? e.name : at >= 0 ? key.slice(at + 13) : undefined;
      if (name && exact(e.version)) out.push(npm(name, e.version));
    }
    return out;
  }
  // v1: a tree of dependencies.
  const walk = (deps: LockDeps | undefined, depth: number) => {
    if (!deps || typeof deps !== 'object' || depth > 64) return;
    for (const [name, e] of Object.entries(deps)) {
      if (!e || typeof e !== 'object') continue;
      if (exact(e.version)) out.push(npm(name, e.version));
      walk(e.dependencies, depth + 1);
    }
  };
  walk(j.dependencies, 0);
  return out;
}

/** `"@scope/name@^1.0", name@npm:^2` → the package name of the first spec. */
function nameOfSpec(spec: string): string | undefined {
  const s = spec.trim().replace(/^"|"$/g, '');
  const at = s.indexOf('@', 1);
  return at > 0 ? s.slice(0, at) : undefined;
}

export function parseYarnLock(text: string): FoundPackage[] {
  const out: FoundPackage[] = [];
  let name: string | undefined;
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    if (line[0] !== ' ') {
      // A header: one or more specs, comma-separated, ending with ':'.
      name =
        line.endsWith(':') && !line.startsWith('__metadata') ? nameOfSpec(line.slice(0, -1).split(',')[0]) : undefined;
      if (line.includes('@workspace:') || line.includes('@link:') || line.includes('@portal:')) name = undefined;
      continue;
    }
    const m = name && line.match(/^ {2}version:? "?([^"\s]+)"?\s*$/);
    if (m && exact(m[1])) {
      out.push(npm(name!, m[1]));
      name = undefined;
    }
  }
  return out;
}

export function parsePnpmLock(text: string): FoundPackage[] {
  const out: FoundPackage[] = [];
  const seen = new Set<string>();
  let inPackages = false;
  for (const line of text.split('\n')) {
    if (line && line[0] !== ' ') {
      inPackages = line === 'packages:' || line === 'snapshots:';
      continue;
    }
    if (!inPackages) continue;
    const m = line.match(/^ {2}(['"]?)(\/?[^\s'"]+)\1:\s*$/);
    if (!m) continue;
    let key = m[2].replace(/^\//, '').replace(/\(.*$/s, '');
    let name: string;
    let version: string;
    // v5: [@scope/]name/version, with a peer-dependency suffix after "_"; v6+: [@scope/]name@version.
    const v5 = key.match(/^((?:@[^/@]+\/)?[^/@]+)\/(\d[^/_]*)(?:_.*)?$/);
    const at = key.lastIndexOf('@');
    if (v5) [, name, version] = v5;
    else if (at > 0) {
      name = key.slice(0, at);
      version = key.slice(at + 1);
    } else continue;
    key = `${name}@${version}`;
    if (!exact(version) || seen.has(key)) continue;
    seen.add(key);
    out.push(npm(name, version));
  }
  return out;
}
