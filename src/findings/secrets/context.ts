/**
 * Where a file lives says a lot about what a match in it means. OS packages ship documentation
 * and language runtimes ship test suites full of sample keys (Go's crypto/tls testdata, Python's
 * test/ directory, node modules' fixtures): such matches are downgraded to info with the reason,
 * never hidden.
 */

const TEST_DIR = /^(?:test|tests|testdata|testing|__tests__|fixtures?|examples?|samples?|spec|specs|demo|docs?)$/i;

// Places package managers and runtimes install into (not the application's own files).
const PACKAGED_ROOTS = [
  /^\/usr\/(?:lib|lib64|share|libexec|include)\//,
  /^\/usr\/local\/(?:lib|lib64|share|go)\//,
  /^\/usr\/lib\/go[^/]*\//,
  /^\/opt\/(?:java|jdk|openjdk|python|ruby|go|node)[^/]*\//,
  /\/(?:node_modules|site-packages|dist-packages|vendor|gems|\.cargo\/registry|go\/pkg\/mod)\//,
];

/** Whether `path` is where package managers and runtimes install files (not the app's own). */
export function isPackagedPath(path: string): boolean {
  return PACKAGED_ROOTS.some((re) => re.test(path));
}

/** Why findings in `path` are downgraded to info, or null. */
export function packagedDataReason(path: string): string | null {
  if (/^\/usr\/share\/(?:doc|man|info|doc-base|help)\//.test(path)) return 'documentation shipped by an OS package';
  if (/^\/usr\/share\/[^/]+\/examples?\//.test(path)) return 'example files shipped by an OS package';
  if (!PACKAGED_ROOTS.some((re) => re.test(path))) return null;
  const parts = path.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    if (TEST_DIR.test(parts[i])) return `test or example data shipped by a package or language runtime (${parts[i]}/)`;
  }
  const base = parts[parts.length - 1];
  if (
    /(?:^test_|_test\.(?:go|py|rb|js)$|\.test\.[jt]s$|\.spec\.[jt]s$|^.*\.md$|^README|^CHANGELOG|\.rst$|\.html?$)/i.test(
      base,
    )
  ) {
    return 'test or documentation file shipped by a package';
  }
  return null;
}

/** Test-looking paths in the application's own files: downgraded one level, with the reason. */
export function appTestDataReason(path: string): string | null {
  const parts = path.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    if (/^(?:test|tests|testdata|__tests__|fixtures?|examples?|samples?)$/i.test(parts[i]))
      return `looks like test or example data (${parts[i]}/)`;
  }
  return null;
}
