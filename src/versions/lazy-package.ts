/**
 * A package's export, required the first time it is asked for: the version orders' packages are
 * loaded from node_modules only by a command that compares versions (most do not: a `scan`
 * without a vulnerability database; loading them took 4–8 ms of every start-up,
 * docs/performance.md, sixth session of 2026-12-07). Required, not imported: the built CLI is one
 * CommonJS-shaped script (cli/code-cache.ts), which cannot import().
 */
import { createRequire } from 'node:module';

export function lazyPackage<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    if (loaded === undefined) {
      const mod = createRequire(import.meta.url)(specifier) as { default?: T } & T;
      loaded = mod.default ?? mod;
    }
    return loaded;
  };
}
