/**
 * Platform strings and matching, following containerd's `platforms` package: normalisation
 * (aarch64 → arm64, arm64/v8 ≡ arm64, arm → arm/v7, x86_64 → amd64) and the ordered fallbacks of
 * `platforms.Only` (arm/v7 → v6 → v5; arm64 → arm64/v8.x lower → arm/v8…v5; amd64/v3 → v2 → v1 → 386).
 */
import type { Platform } from '../../engine/types.js';
import { LayerlensError } from '../../errors/index.js';

export function normalizeArch(arch: string, variant: string | undefined): { architecture: string; variant?: string } {
  const a = arch.toLowerCase();
  let v = variant?.toLowerCase() || undefined;
  switch (a) {
    case 'i386':
      return { architecture: '386' };
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      // amd64/v1 is plain amd64
      return v === 'v1' ? { architecture: 'amd64' } : { architecture: 'amd64', variant: v };
    case 'aarch64':
    case 'arm64':
      if (v === '8' || v === 'v8') v = undefined;
      return { architecture: 'arm64', variant: v };
    case 'armhf':
      return { architecture: 'arm', variant: 'v7' };
    case 'armel':
      return { architecture: 'arm', variant: 'v6' };
    case 'arm':
      if (!v) v = 'v7';
      else if (/^\d+$/.test(v)) v = 'v' + v;
      return { architecture: 'arm', variant: v };
    default:
      return { architecture: a, variant: v };
  }
}

export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase() === 'macos' ? 'darwin' : p.os.toLowerCase();
  const { architecture, variant } = normalizeArch(p.architecture, p.variant);
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Parse `os/arch[/variant]` (or just `arch`, meaning linux). */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().split('/');
  if (parts.some((x) => x === '') || parts.length > 3) {
    throw new LayerlensError(
      `invalid platform "${s}": expected os/arch[/variant], e.g. linux/arm64 or linux/arm/v7`,
      'USAGE',
    );
  }
  if (parts.length === 1) return normalizePlatform({ os: 'linux', architecture: parts[0] });
  return normalizePlatform({ os: parts[0], architecture: parts[1], variant: parts[2] });
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** The platform of this machine, as Docker would pull for it (containers are Linux). */
export function hostPlatform(): Platform {
  const map: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
    loong64: 'loong64',
  };
  const architecture = map[process.arch] ?? process.arch;
  if (architecture === 'arm') {
    const v = (process.config.variables as unknown as Record<string, unknown>).arm_version;
    return normalizePlatform({ os: 'linux', architecture, variant: v ? `v${v}` : undefined });
  }
  return { os: 'linux', architecture };
}

/** containerd's platformVector: the wanted platform first, then what it can also run, best first. */
export function platformVector(wanted: Platform): Platform[] {
  const p = normalizePlatform(wanted);
  const out: Platform[] = [p];
  const mk = (architecture: string, variant?: string): Platform =>
    variant ? { os: p.os, architecture, variant } : { os: p.os, architecture };
  switch (p.architecture) {
    case 'amd64': {
      const n = Number((p.variant ?? '').replace(/^v/, ''));
      if (Number.isInteger(n) && n > 1)
        for (let v = n - 1; v >= 1; v--) out.push(mk('amd64', v === 1 ? undefined : `v${v}`));
      out.push(mk('386'));
      break;
    }
    case 'arm': {
      const n = Number((p.variant ?? '').replace(/^v/, ''));
      if (Number.isInteger(n) && n > 5) for (let v = n - 1; v >= 5; v--) out.push(mk('arm', `v${v}`));
      break;
    }
    case 'arm64': {
      const variant = p.variant ?? 'v8';
      const m = /^v(\d+)(?:\.(\d+))?$/.exec(variant);
      if (m && Number(m[1]) >= 8) {
        let major = Number(m[1]);
        let minor = m[2] !== undefined ? Number(m[2]) : 0;
        const name = (maj: number, min: number) => (min === 0 ? (maj === 8 ? undefined : `v${maj}`) : `v${maj}.${min}`);
        if (major === 9) {
          for (let x = minor - 1; x >= 0; x--) out.push(mk('arm64', name(9, x)));
          // v9.x is compatible with v8.(x+5)
          minor += 5;
          major = 8;
          out.push(mk('arm64', `v8.${minor}`));
        }
        for (let x = minor - 1; x >= 0; x--) out.push(mk('arm64', name(major, x)));
      }
      const armVariant = /^v(8|9)\./.test(variant) ? 'v8' : variant;
      out.push(...platformVector({ os: p.os, architecture: 'arm', variant: armVariant }));
      break;
    }
  }
  return out;
}

export function samePlatform(a: Platform, b: Platform): boolean {
  const x = normalizePlatform(a);
  const y = normalizePlatform(b);
  return x.os === y.os && x.architecture === y.architecture && (x.variant ?? '') === (y.variant ?? '');
}

/**
 * Index of the best candidate for `wanted`, or -1. Candidates without a platform never match;
 * earlier entries win ties (registries list the preferred manifest first).
 */
export function bestPlatformMatch(wanted: Platform, candidates: Array<Platform | undefined>): number {
  const vector = platformVector(wanted);
  for (const want of vector) {
    const i = candidates.findIndex((c) => c !== undefined && samePlatform(c, want));
    if (i >= 0) return i;
  }
  return -1;
}
