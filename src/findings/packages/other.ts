/**
 * The smaller ecosystems, one parser each: Composer's vendor/composer/installed.json, .NET's
 * *.deps.json (NuGet), and RubyGems' installed specifications/*.gemspec.
 */
import type { FoundPackage } from './types.js';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Composer 1 (an array) and 2 ({ packages: [...] }). */
export function parseComposerInstalled(text: string): FoundPackage[] {
  const j = parseJson(text) as { packages?: unknown } | unknown[] | undefined;
  const list: unknown[] = Array.isArray(j) ? j : Array.isArray(j?.packages) ? j.packages : [];
  const out: FoundPackage[] = [];
  for (const p of list as Array<{ name?: unknown; version?: unknown }>) {
    if (p && typeof p.name === 'string' && typeof p.version === 'string' && /^v?\d/.test(p.version))
      out.push({ type: 'composer', name: p.name.toLowerCase(), version: p.version.replace(/^v/, '') });
  }
  return out;
}

/** `libraries: { "Newtonsoft.Json/12.0.1": { "type": "package" } }`; projects are not packages. */
export function parseDepsJson(text: string): FoundPackage[] {
  const libs = (parseJson(text) as { libraries?: unknown } | undefined)?.libraries;
  if (!libs || typeof libs !== 'object') return [];
  const out: FoundPackage[] = [];
  for (const [key, lib] of Object.entries(libs as Record<string, { type?: unknown }>)) {
    const slash = key.lastIndexOf('/');
    if (slash <= 0 || lib?.type !== 'package') continue;
    out.push({ type: 'nuget', name: key.slice(0, slash), version: key.slice(slash + 1) });
  }
  return out;
}

/** An installed gem's specification: `s.name = "rack".freeze`, `s.version = "2.2.3"`. */
export function parseGemspec(text: string): FoundPackage[] {
  const name = text.match(/\.name\s*=\s*["']([^"']+)["']/)?.[1];
  const version = text.match(/\.version\s*=\s*["']([^"']+)["']/)?.[1];
  return name && version ? [{ type: 'gem', name, version }] : [];
}
