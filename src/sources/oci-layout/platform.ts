/**
 * Platforms: `--platform os/arch[/variant]` parsing, the host's default, and matching the way
 * containerd's platform matcher does (arm64 ≡ arm64/v8, arm ≡ arm/v7 when no variant is written).
 */
import type { Platform } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
  ia32: '386',
  x64: 'amd64',
};

/** Variant assumed when an arch is written without one. */
const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7' };

export function normalizePlatform(p: Platform): Platform {
  const architecture = ARCH_ALIASES[p.architecture.toLowerCase()] ?? p.architecture.toLowerCase();
  const out: Platform = { os: p.os.toLowerCase(), architecture };
  let variant = p.variant?.toLowerCase();
  if (p.architecture.toLowerCase() === 'armel') variant ??= 'v6';
  if (variant) out.variant = variant;
  return out;
}

/** `linux/amd64`, `linux/arm64/v8`, `linux/arm/v7` → Platform; throws BAD_PLATFORM otherwise. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
    throw new LayerlensError(
      `invalid --platform ${JSON.stringify(text)}: expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8`,
      'BAD_PLATFORM',
    );
  }
  return normalizePlatform({ os: parts[0], architecture: parts[1], variant: parts[2] });
}

/** This host's platform as image indexes name it (Linux images even on macOS). */
export function hostPlatform(): Platform {
  const os = process.platform === 'win32' ? 'windows' : 'linux';
  const arch =
    (
      {
        x64: 'amd64',
        arm64: 'arm64',
        arm: 'arm',
        ia32: '386',
        ppc64: 'ppc64le',
        s390x: 's390x',
        riscv64: 'riscv64',
        loong64: 'loong64',
        mips64el: 'mips64le',
      } as Record<string, string>
    )[process.arch] ?? process.arch;
  if (arch === 'arm64') return { os, architecture: arch, variant: 'v8' };
  if (arch === 'arm') {
    const v = (process.config.variables as Record<string, unknown>).arm_version;
    return { os, architecture: arch, variant: `v${typeof v === 'string' || typeof v === 'number' ? v : '7'}` };
  }
  return { os, architecture: arch };
}

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return 'unknown platform';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * How well `have` serves `want`: 0 = no match, higher = better. OS and arch must be equal; a
 * variant matches exactly (3), by the arch's default (2), or when either side names none (1).
 */
export function platformScore(want: Platform, have: Platform): number {
  const w = normalizePlatform(want);
  const h = normalizePlatform(have);
  if (w.os !== h.os || w.architecture !== h.architecture) return 0;
  const wv = w.variant ?? DEFAULT_VARIANT[w.architecture];
  const hv = h.variant ?? DEFAULT_VARIANT[h.architecture];
  if (w.variant && h.variant) return w.variant === h.variant ? 3 : 0;
  if (wv && hv) return wv === hv ? 2 : w.variant ? 0 : 1;
  return 1;
}

/** Attestation manifests (BuildKit provenance/SBOM) pose as platform unknown/unknown. */
export function isUnknownPlatform(p: Platform | undefined): boolean {
  return !!p && p.os === 'unknown' && p.architecture === 'unknown';
}
