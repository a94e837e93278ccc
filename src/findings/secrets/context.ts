/**
 * Where a file lives says a lot about what a match in it means. OS packages ship documentation
 * and language runtimes ship test suites full of sample keys (Go's crypto/tls testdata, Python's
 * test/ directory, node modules' fixtures): such matches are downgraded to info with the reason,
 * never hidden.
 */

const TEST_DIR =
  /^(?:test|tests|testdata|testing|__tests__|__mocks__|mocks?|__fixtures__|fixtures?|examples?|samples?|spec|specs|demo|docs?|e2e|bench|benches|benchmarks?|(?:test|tests|testing)[-_][a-z0-9_-]+|[a-z0-9_-]+[-_](?:test|tests|testdata))$/i;

// Directories language package managers install libraries into, wherever they are.
const LANGUAGE_LIBRARIES = String.raw`node_modules|site-packages|dist-packages|vendor|gems|\.?cargo\/registry|go\/pkg\/mod`;

// Places package managers and runtimes install into (not the application's own files).
const PACKAGED_ROOTS = [
  /^\/usr\/(?:lib|lib64|share|libexec|include)\//,
  /^\/usr\/local\/(?:lib|lib64|share|go)\//,
  /^\/usr\/lib\/go[^/]*\//,
  /^\/opt\/(?:java|jdk|openjdk|python|ruby|go|node)[^/]*\//,
  new RegExp(String.raw`\/(?:${LANGUAGE_LIBRARIES})\/`),
];

/** Whether `path` is where package managers and runtimes install files (not the app's own). */
export function isPackagedPath(path: string): boolean {
  return PACKAGED_ROOTS.some((re) => re.test(path));
}

// The directories of language libraries: what a package manager unpacks there is the library's
// own, the same for every user of it (npm, pip, gems, composer, Go modules, Cargo; Debian's
// packaged Perl, Ruby, PHP, Go and Node libraries; a library vendored into another's tree).
const LIBRARY_DIRS = [
  new RegExp(String.raw`\/(?:${LANGUAGE_LIBRARIES}|third[_-]party|_vendor|vendored)\/`),
  /^\/usr\/share\/(?:perl5?|ruby[^/]*|gocode|php|nodejs|cargo\/registry)\//,
  /^\/usr\/lib\/(?:[^/]+\/)?(?:perl5?|ruby|nodejs)\//,
];

/**
 * Whether `path` lies in a language library's directory. A private key there ships with the
 * library to everyone who installs it (a default development certificate such as a web
 * framework's built-in one): a published key, not a leak of the image's own.
 */
export function isLibraryPath(path: string): boolean {
  return LIBRARY_DIRS.some((re) => re.test(path));
}

/** A file's place that says its matches are documentation or test data: the code and the detail. */
export interface PackagedData {
  code: 'package-docs' | 'package-test';
  detail?: string;
}

// A package's own test files by name: test.js, tests.py, conftest.py, test_x.py, x_test.go,
// x.test.ts, x.spec.js, x_spec.rb, test-x.js.
const TEST_FILE =
  /^(?:tests?\.(?:[cm]?js|ts|py|rb)|conftest\.py|test[_-].+|.+_test\.(?:go|py|rb|js)|.+\.(?:test|spec)\.[cm]?[jt]sx?|.+_spec\.rb|.+\.examples?\.[a-z]+)$/i;
// Its documentation by name (a packager's patches included: the record of a change to its sources).
const DOC_FILE =
  /(?:^PKG-INFO$|^METADATA$|\.md|\.markdown|\.rst|\.html?|\.txt|\.patch|\.diff|^README(?:\..*)?|^CHANGELOG(?:\..*)?|^HISTORY(?:\..*)?)$/i;

/** Why findings in `path` are downgraded to info, or null. */
export function packagedDataReason(path: string): PackagedData | null {
  if (/^\/usr\/share\/(?:doc|man|info|doc-base|help)\//.test(path))
    return { code: 'package-docs', detail: 'OS package' };
  if (/^\/usr\/share\/[^/]+\/examples?\//.test(path))
    return { code: 'package-test', detail: 'examples/ of an OS package' };
  if (!PACKAGED_ROOTS.some((re) => re.test(path))) return null;
  const parts = path.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    if (TEST_DIR.test(parts[i]))
      return { code: /^docs?$/i.test(parts[i]) ? 'package-docs' : 'package-test', detail: `${parts[i]}/` };
  }
  const base = parts[parts.length - 1];
  if (TEST_FILE.test(base)) return { code: 'package-test', detail: base };
  if (DOC_FILE.test(base)) return { code: 'package-docs', detail: base };
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
