/**
 * The precision classes of issue #14, each on look-alikes generated at run time: made-up
 * sequential keys, placeholders inside tokens, a tail of `#` signs, `curl -u <user:password>`,
 * published SDK example keys, elided service-account keys; documentation comments, docstrings
 * and test files of installed packages. None is reported at high or critical; each downgrade
 * says why (a reason and its code). Real-shaped secrets beside them keep their severity.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { looksLikeIdentifier } from '../../../src/findings/secrets/placeholder.js';
import { publishedKey } from '../../../src/findings/secrets/published-keys.js';
import { pemBody } from '../../../src/findings/secrets/rules/keys.js';
import type { SecretMatch } from '../../../src/findings/secrets/scanner.js';
import * as f from '../../support/fake-secrets.js';
import { scanFile } from '../../support/scan-file.js';
import { sequentialLike } from '../../support/secret-cases.js';

const serious = (ms: SecretMatch[]) => ms.filter((m) => m.severity === 'high' || m.severity === 'critical');
const anyOf = <T>(xs: T[]) => xs[randomInt(xs.length)];

/** Every match is below high, and every downgraded one says why. */
function assertHarmless(path: string, text: string): SecretMatch[] {
  const ms = scanFile(path, text);
  assert.deepEqual(
    serious(ms).map((m) => `${m.ruleId} ${m.severity} ${m.evidence}`),
    [],
    JSON.stringify(text.slice(0, 300)),
  );
  for (const m of ms) if (m.severity === 'info') assert.ok(m.reason && m.code, `${m.ruleId}: a downgrade says why`);
  return ms;
}

test('made-up sequential and repeated keys are fillers (info, code "filler")', () => {
  for (let i = 0; i < 30; i++) {
    const made = [
      `sk-ant-api03-${f.repeated(93)}AA`,
      `AIzaSy${sequentialLike(f.alnum(33))}`,
      `AIza${'a'.repeat(35)}`,
      `ghp_${sequentialLike(f.alnum(30))}${f.alnum(6)}`,
      `glpat-${sequentialLike(f.alnum(20))}`,
      `sk_live_${f.repeated(30)}`,
      `xoxb-1234567890-1234567890-${sequentialLike(f.alnum(24))}`,
      `dckr_pat_${f.repeated(27)}`,
      `hf_${sequentialLike(f.alpha(34))}`,
    ];
    const v = anyOf(made);
    const ms = assertHarmless('/app/config.env', `KEY=${v}\n`);
    assert.ok(
      ms.every((m) => m.severity === 'info'),
      v,
    );
  }
  // The real-shaped ones beside them are found at their severity.
  const real = scanFile('/app/config.env', `A=sk-ant-api03-${f.urlsafe(93)}AA\nB=AIza${f.urlsafe(35)}\n`);
  assert.deepEqual(
    real.map((m) => m.severity),
    ['high', 'high'],
  );
});

test('placeholders inside a token, a tail of # signs, a masked value: info (code "placeholder")', () => {
  const words = [
    'RANDOMSTRINGHERE',
    'YOUR_TOKEN_HERE',
    'REPLACE_WITH_KEY',
    'INSERT_SECRET',
    'xxxxxxxxxxxx',
    'PLACEHOLDER',
  ];
  for (let i = 0; i < 30; i++) {
    const w = anyOf(words);
    const lines = [
      `xoxe.xoxp-1-${w}`,
      `glpat-${(w + f.alnum(20)).slice(0, 20)}`,
      `sk_live_${(f.alnum(4) + w + f.alnum(24)).slice(0, 26)}`,
      `ghp_${f.alnum(8)}${'#'.repeat(randomInt(3, 30))}`,
      `token: glpat-${f.alnum(20)}####`,
      `key = dckr_pat_${f.alnum(27)}...`,
    ];
    const text = lines.join('\n') + '\n';
    const ms = assertHarmless('/app/settings.yaml', text);
    // The tokens that the rules still recognise are info, as placeholders.
    for (const m of ms) assert.equal(m.severity, 'info', `${m.ruleId} ${m.evidence}`);
    assert.ok(ms.some((m) => m.code === 'placeholder'));
  }
});

test('curl -u with placeholders: <user:password>, $VARS, [user]:[password] are not findings', () => {
  for (const u of [
    '<user:password>',
    '<user>:<password>',
    '"$USER:$PASSWORD"',
    '[user]:[password]',
    'user:${TOKEN}',
    '%USER%:%PASS%',
  ]) {
    const ms = assertHarmless('/app/run.sh', `curl -fsSL -u ${u} https://repo.example.org/x\n`);
    assert.deepEqual(
      ms.filter((m) => m.ruleId === 'secret-curl-basic-auth'),
      [],
      u,
    );
  }
  assert.equal(scanFile('/app/run.sh', `curl -u deploy:${f.alnum(18)} https://repo.internal/x\n`)[0].severity, 'high');
});

test('published SDK example keys: a Firebase web config key is public by design; AWS EXAMPLE tokens are examples', () => {
  const firebase = `const firebaseConfig = {\n  apiKey: "AIza${f.urlsafe(35)}",\n  authDomain: "demo-${f.lowerAlpha(6)}.firebaseapp.com",\n  projectId: "demo",\n};\n`;
  const [fb] = assertHarmless('/app/src/firebase.js', firebase);
  assert.equal(fb.ruleId, 'secret-gcp-api-key');
  assert.equal(fb.code, 'public-by-design');
  // AWS documents STS example session tokens with the EXAMPLE marker inside a long value.
  const sts = `AWS_SESSION_TOKEN=${f.b64(200)}EXAMPLE${f.b64(150)}\nAWS_ACCESS_KEY_ID=ASIA${f.upper(9)}EXAMPLE\n`;
  const ms = assertHarmless('/app/docs.env', sts);
  assert.ok(ms.length >= 2 && ms.every((m) => m.code === 'example-marker'));
});

test('a GCP service-account JSON whose private key is elided is not critical; a real one is', () => {
  const elided = JSON.stringify(
    {
      type: 'service_account',
      project_id: `p-${f.lowerAlpha(6)}`,
      private_key_id: f.hex(40),
      private_key: anyOf([
        '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n',
        '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----\n',
        `-----BEGIN PRIVATE KEY-----\n${f.b64(64)}\n...\n-----END PRIVATE KEY-----\n`,
      ]),
      client_email: 'x@p.iam.gserviceaccount.com',
    },
    null,
    2,
  );
  const ms = assertHarmless('/app/sa.json', elided);
  assert.ok(ms.some((m) => m.ruleId === 'secret-gcp-service-account-key' && m.code === 'elided-key'));
  const real = JSON.stringify({ type: 'service_account', private_key_id: f.hex(40), private_key: f.pkcs8Pem() });
  assert.ok(
    scanFile('/app/sa.json', real).some(
      (m) => m.ruleId === 'secret-gcp-service-account-key' && m.severity === 'critical',
    ),
  );
});

test('private keys: a bare header, a truncated body, a JSDoc body cut short are info; a key in a comment or a string is found', () => {
  const header = assertHarmless(
    '/app/node_modules/jose/lib/pem.js',
    "const PRIVATE = '-----BEGIN PRIVATE KEY-----';\n",
  );
  assert.deepEqual(
    header.map((m) => m.code),
    ['key-header'],
  );
  // A real key body, cut after a few lines (documentation shows the start of it).
  const pem = f.rsaPem().split('\n');
  const cut = `/**\n * Example:\n * ${pem.slice(0, 6).join('\n * ')}\n * -----END RSA PRIVATE KEY-----\n */\n`;
  const jsdoc = assertHarmless('/app/src/keys.js', cut);
  assert.deepEqual(
    jsdoc.map((m) => m.code),
    ['elided-key'],
  );
  // The whole key in a JSDoc comment, or concatenated in a string, is a key.
  const whole = `/**\n * ${pem.join('\n * ')}\n */\n`;
  assert.equal(scanFile('/app/src/keys.js', whole)[0].severity, 'critical');
  const concatenated = pem.map((l) => `  "${l}\\n" +`).join('\n') + '\n  "";\n';
  assert.equal(scanFile('/app/src/keys.js', `const k =\n${concatenated}`)[0].severity, 'critical');
});

test('installed packages: documentation comments, docstrings and test files are info; the same token in code is not', () => {
  const tok = f.githubToken();
  const jsdoc = `/**\n * @example\n * client.auth('${tok}')\n */\nmodule.exports = x;\n`;
  const [a] = scanFile('/app/node_modules/some-sdk/lib/client.js', jsdoc);
  assert.equal(a.severity, 'info');
  assert.equal(a.code, 'doc-comment');
  const docstring = `def login(token):\n    """Log in.\n\n    >>> login("${tok}")\n    """\n`;
  const [b] = scanFile('/usr/lib/python3/dist-packages/sdk/auth.py', docstring);
  assert.equal(b.code, 'doc-comment');
  for (const path of ['/app/node_modules/url/test.js', '/usr/lib/python3/dist-packages/sdk/tests/test_auth.py']) {
    const [t] = scanFile(path, `const t = '${tok}';\n`);
    assert.equal(t.severity, 'info', path);
    assert.equal(t.code, 'package-test', path);
  }
  // Outside a comment in a package's code, and in the application's own comment, it is a token.
  assert.equal(scanFile('/app/node_modules/some-sdk/lib/client.js', `const t = '${tok}';\n`)[0].severity, 'critical');
  assert.equal(scanFile('/app/src/client.js', `// old token: ${tok}\n`)[0].severity, 'critical');
  // A connection string with a documentation password (mongodb://val:psw@) in JSDoc: no finding.
  assertHarmless('/app/node_modules/mongoose/lib/connection.js', ' * mongodb://val:psw@localhost:27017/db\n');
});

test('checksums: a GitHub or npm token that fails its CRC-32 is info; PyPI tokens must be macaroons', () => {
  const good = f.githubToken('gho');
  const bad = good.slice(0, -6) + sequentialLike(good.slice(-6)).split('').reverse().join('');
  assert.equal(scanFile('/app/a', `${good}\n`)[0].severity, 'high');
  const [m] = scanFile('/app/a', `${bad}\n`);
  assert.equal(m.code, 'checksum');
  assert.equal(scanFile('/app/a', `${f.npmToken()}\n`)[0].severity, 'critical');
  assert.equal(scanFile('/app/a', `${f.pypiToken('test.pypi.org')}\n`)[0].code, 'test-mode');
});

/** A PascalCase name of exactly `n` letters, made of capitalised words of 4–9 letters. */
function pascalName(n: number): string {
  for (;;) {
    let s = '';
    while (s.length < n) {
      const w = f.lowerAlpha(4 + randomInt(6));
      s += w[0].toUpperCase() + w.slice(1);
    }
    if (s.length === n) return s;
  }
}

test("identifiers in a token's place: PascalCase and camelCase names are code, not credentials", () => {
  for (let i = 0; i < 20; i++) {
    const name = pascalName(40);
    const lower = name[0].toLowerCase() + name.slice(1);
    const code = [
      `exports.${name} = ${name};\n`,
      `const cloudflareModel = "${name}";\n`,
      `const CLOUDFLARE_KIND = '${lower}';\n`,
      `ACCESS_TOKEN_TYPE = "${pascalName(30)}"\n`,
      `secretName: "${pascalName(26)}",\n`,
    ].join('');
    assert.deepEqual(
      scanFile('/app/src/models.js', code).map((m) => `${m.ruleId} ${m.evidence}`),
      [],
      code,
    );
  }
  // Real tokens of the same length are still found, every one of them.
  for (let i = 0; i < 200; i++) {
    const ms = scanFile('/app/deploy.sh', `export CLOUDFLARE_API_TOKEN=${f.urlsafe(40)}\n`);
    const m = ms.find((x) => x.ruleId === 'secret-cloudflare-api-token');
    assert.ok(m, JSON.stringify(ms));
    assert.equal(m.severity, 'critical');
  }
  // A password assigned a literal that is not an identifier is still a finding.
  assert.equal(scanFile('/app/src/db.js', `const dbPassword = "${f.alnum(6)}#${f.alnum(6)}";\n`).length, 1);
});

/** A PascalCase name of `n` letters: words with vowels and one acronym hump of two letters (Ls, Io). */
function wordyName(n: number): string {
  const word = (k: number) => {
    let w = '';
    for (let i = 0; i < k; i++) w += i % 2 ? anyOf([...'aeiou']) : anyOf([...'bcdfghklmnprstvz']);
    return w[0].toUpperCase() + w.slice(1);
  };
  for (;;) {
    let s = word(4 + randomInt(5)) + word(2);
    while (s.length < n) s += word(4 + randomInt(5));
    if (s.length === n) return s;
  }
}

test("names with an acronym hump, member accesses, calls and self-assignments in a token's place are code", () => {
  for (let i = 0; i < 20; i++) {
    const name = wordyName(40);
    const tail = f.lowerAlnum(18);
    const ms = scanFile(
      '/app/src/sandboxes.d.ts',
      [
        `  secret_access_key: ${name};\n`,
        `  secret_access_key: ${f.alpha(40)}.SecretAccessKey;\n`,
        `const secretAccessKey = ${f.alpha(40)}();\n`,
        `  vercelAgentType: resolve${wordyName(17)},\n`,
        `exports.vercel${tail} = vercel${tail};\n`,
        `const vercelAgent = "${wordyName(24)}";\n`,
      ].join(''),
    );
    assert.deepEqual(
      serious(ms).map((m) => `${m.ruleId} ${m.evidence}`),
      [],
    );
    for (const m of ms) assert.equal(m.code, 'code', `${m.ruleId} ${m.evidence}`);
  }
  // Issued values in the same places are still found: base64 keys, and a sentence's full stop after one.
  for (let i = 0; i < 50; i++) {
    for (const text of [`aws_secret_access_key = ${f.b64(40)}\n`, `The key is aws_secret_access_key=${f.b64(40)}.\n`]) {
      const m = scanFile('/app/deploy.sh', text).find((x) => x.ruleId === 'secret-aws-secret-access-key');
      assert.equal(m?.severity, 'critical', text);
    }
    const v = scanFile('/app/deploy.sh', `VERCEL_TOKEN=${f.alnum(24)}\n`).find(
      (x) => x.ruleId === 'secret-vercel-token',
    );
    assert.equal(v?.severity, 'critical');
  }
});

test('values that spell their own key (enums of scopes, URNs, header names) are not secrets; a password that repeats its key is', () => {
  const word = () => f.lowerAlpha(3 + randomInt(5));
  const cap = (w: string) => w[0].toUpperCase() + w.slice(1);
  for (let i = 0; i < 30; i++) {
    const [a, b] = [word(), word()];
    const bundle = [
      `var e={Create${cap(a)}Token:"create:${a}_token",${a.toUpperCase()}_TOKEN_TO_${b.toUpperCase()}:"token_${b}_to_${a}",`,
      `t.${cap(a)}${b}Token="urn:${word()}:params:${a}:${b}-token",i.${a.toUpperCase()}_${b.toUpperCase()}_TOKEN="X-${cap(word())}-${cap(a)}-${cap(b)}-Token"};\n`,
    ].join('');
    assert.deepEqual(
      scanFile('/app/dist/server.min.js', bundle).map((m) => `${m.ruleId} ${m.evidence}`),
      [],
      bundle,
    );
    // A password that repeats its key with a word or digits added is still one.
    const own = `ADMIN_PASSWORD = "Admin-Password-${cap(word())}"\nDB_PASSWORD="db_password_${f.digits(4)}!"\n`;
    assert.equal(scanFile('/app/src/settings.py', own).filter((m) => m.severity === 'medium').length, 2, own);
  }
});

test('a random 24-character token reads as a name about twice in a million (200,000 drawn)', () => {
  let names = 0;
  for (let i = 0; i < 200_000; i++) if (looksLikeIdentifier(f.alnum(24))) names++;
  // Expected ~0.5; a looser test of words would be hundreds.
  assert.ok(names <= 6, `${names} of 200,000 random tokens read as names`);
});

test('a token look-alike inside a long base64 run (an embedded binary) is info, code "encoded-data"', () => {
  for (let i = 0; i < 20; i++) {
    const key = `AKIA${f.base32(16)}`;
    // Glued to base64 text on both sides, as in a wasm module or a data: URI in a JS file.
    const blob = `${f.b64(400 + randomInt(400))}${f.lowerAlpha(1)}${key}${f.lowerAlpha(1)}${f.b64(400)}`;
    const ms = assertHarmless(
      '/app/node_modules/engine/runtime/module.wasm-base64.js',
      `module.exports = '${blob}';\n`,
    );
    const mine = ms.filter((m) => m.ruleId === 'secret-aws-access-key-id');
    assert.deepEqual(
      mine.map((m) => m.code),
      ['encoded-data'],
    );
    // The same key on its own, or at the edge of base64 text, is a key.
    assert.equal(scanFile('/app/src/aws.js', `const id = '${key}';\n`)[0].severity, 'high');
    assert.equal(scanFile('/app/src/aws.js', `const s = '${f.b64(300)}a${key}';\n`)[0].severity, 'high');
  }
  // A token in a URL path, long base64-like segments on both sides, is bounded by its slashes: still found.
  const gh = f.githubToken();
  const url = `https://api.corp.lan/v1/projects/${f.alnum(12)}/settings/${gh}`;
  assert.equal(scanFile('/app/src/u.js', `fetch('${url}/a/${f.alnum(40)}');\n`)[0].severity, 'critical');
});

test('Perl POD and Ruby =begin blocks of installed libraries are their documentation (info, "doc-comment")', () => {
  const pwd = f.alnum(10);
  const pem = f.rsaPem();
  const pod = [
    'package Web::URL;',
    'use strict;',
    '1;',
    '',
    '=head1 SYNOPSIS',
    '',
    `  my $url = Web::URL->new('https://isabel:${pwd}@db.corp.lan/');`,
    '',
    '=begin html',
    '',
    '<p>figure</p>',
    '',
    '=end html',
    '',
    "  my $key = <<'EOF';",
    ...pem.split('\n').map((l) => `  ${l}`),
    '  EOF',
    '',
    '=cut',
    '',
    `sub connect { return 'https://daniel:${f.alnum(10)}@db.corp.lan/' }`,
    '',
  ].join('\n');
  const path = '/usr/share/perl5/Web/URL.pm';
  const ms = scanFile(path, pod);
  const byLine = ms.map((m) => `${m.ruleId} ${m.severity} ${m.code ?? ''}`.trim());
  assert.deepEqual(byLine, [
    'secret-url-credentials info doc-comment',
    'secret-private-key info doc-comment',
    'secret-url-credentials high',
  ]);
  // A POD block longer than the scanner's window: the block is followed from window to window.
  const filler = Array.from({ length: 6000 }, (_, i) => `Paragraph ${i} of the manual, ${f.lowerAlpha(20)}.`);
  const long = [
    'package A;',
    '1;',
    '=head1 DESCRIPTION',
    '',
    ...filler,
    `  A->new(token => '${f.githubToken()}');`,
    '',
    '=cut',
    '',
    `my $t = '${f.githubToken()}';`,
    '',
  ].join('\n');
  assert.ok(long.length > 3 * 65536);
  assert.deepEqual(
    scanFile('/usr/lib/x86_64-linux-gnu/perl5/5.36/A.pm', long).map((m) => `${m.severity} ${m.code ?? ''}`.trim()),
    ['info doc-comment', 'critical'],
  );
  // Ruby's block comment.
  const rb = `=begin\n  Client.new(token: '${f.githubToken()}')\n=end\nCLIENT = Client.new(token: '${f.githubToken()}')\n`;
  assert.deepEqual(
    scanFile('/usr/lib/ruby/vendor_ruby/sdk/client.rb', rb).map((m) => `${m.severity} ${m.code ?? ''}`.trim()),
    ['info doc-comment', 'critical'],
  );
  // In the application's own Perl the POD is not downgraded (an app's docs can hold its real keys).
  assert.equal(scanFile('/app/lib/Web/URL.pm', pod)[0].severity, 'high');
});

test("a key split over JS strings joined by a + that starts the next line: its body is the key's own base64", () => {
  for (const pem of [f.pkcs8Pem(), f.rsaPem()]) {
    const b64 = pem.replace(/-----[^-]+-----|\s/g, '');
    const cut = 1 + randomInt(b64.length - 2);
    const header = pem.slice(0, pem.indexOf('-----', 5) + 5);
    for (const sep of ["'\n      + '", "' +\n  '", "'+ '"]) {
      const js = `const k = '${header}\\r\\n${b64.slice(0, cut)}${sep}${b64.slice(cut)}\\r\\n-----END PRIVATE KEY-----';\n`;
      assert.equal(pemBody(js, js.indexOf('KEY-----') + 8), b64, JSON.stringify(sep));
    }
    // A key of its own is no published one: critical.
    assert.equal(publishedKey(b64), null);
    const ms = scanFile('/app/src/keys.js', `const k = '${pem.replace(/\n/g, '\\n')}';\n`);
    assert.equal(ms.find((m) => m.family === 'private-key')?.severity, 'critical');
  }
});

test('a private key in a library package\'s own files is a published key: medium, code "package-key"', () => {
  const pem = f.rsaPem() + '\n';
  for (const path of [
    '/usr/share/perl5/Web/IOLoop/resources/server.key',
    '/app/node_modules/dev-server/ssl/server.pem',
    '/usr/lib/python3/dist-packages/framework/certs/default.key',
    '/usr/local/lib/python3.11/site-packages/framework/default.pem',
    '/usr/lib/cloud-sdk/platform/tool/third_party/httplib/dummyserver/certs/server.key',
  ]) {
    const [m] = scanFile(path, pem);
    assert.equal(m.severity, 'medium', path);
    assert.equal(m.code, 'package-key', path);
    assert.match(m.reason!, /library package/);
  }
  // The image's own keys stay critical, wherever they are.
  for (const path of [
    '/etc/ssl/private/server.key',
    '/app/certs/server.key',
    '/usr/local/lib/myapp/server.key',
    '/usr/lib/myapp/server.key',
    '/root/.ssh/id_rsa',
  ])
    assert.equal(scanFile(path, pem)[0].severity, 'critical', path);
});

test("a Google API key in an installed package's code is its client key, public by design (low); in the app's code, high", () => {
  for (let i = 0; i < 10; i++) {
    const key = `AIza${f.urlsafe(35)}`;
    const code = `ERROR_REPORTING_PARAM = '${key}'\n`;
    for (const path of [
      '/usr/lib/cloud-sdk/lib/command_lib/crash_handling.py',
      '/app/node_modules/maps-sdk/lib/config.js',
    ]) {
      const [m] = scanFile(path, code);
      assert.equal(m.severity, 'low', path);
      assert.equal(m.code, 'public-by-design', path);
    }
    assert.equal(scanFile('/app/src/config.py', code)[0].severity, 'high');
  }
});

test("a line of an installed package's code that starts with a string is code, not a comment", () => {
  const tok = f.githubToken();
  const dict = `CONFIG = {\n    'token': '${tok}',\n}\n`;
  assert.equal(scanFile('/usr/lib/python3/dist-packages/sdk/settings.py', dict)[0].severity, 'critical');
  const js = `const t =\n  '${tok}';\n`;
  assert.equal(scanFile('/app/node_modules/sdk/lib/t.js', js)[0].severity, 'critical');
});

test("a JS bundle: code bundled from node_modules is judged as that module's file; the app's own modules stay its own", () => {
  const pem = f.pkcs8Pem().split('\n').join('\\n');
  const doc = f.githubToken();
  const own = f.githubToken();
  const filler = Array.from({ length: 6000 }, (_, i) => `    var x${i} = compute(${i}, "${f.lowerAlpha(12)}");`).join(
    '\n',
  );
  const esbuild = [
    '"use strict";',
    '// node_modules/sdk/lib/keys.js',
    'var require_keys = __commonJS({',
    '  "node_modules/sdk/lib/keys.js"(exports2) {',
    filler, // (the module runs on into the scanner's next windows)
    '    /**',
    '     * @example',
    `     * client.auth('${doc}')`,
    '     */',
    `    const probe = "${pem}";`,
    '  }',
    '});',
    '',
    '// src/config.js',
    `var token = '${own}';`,
    '',
  ].join('\n');
  assert.ok(esbuild.length > 3 * 65536);
  const ms = scanFile('/app/dist/server.js', esbuild);
  assert.deepEqual(
    ms.map((m) => `${m.ruleId} ${m.severity} ${m.code ?? ''}`.trim()),
    ['secret-github-pat info doc-comment', 'secret-private-key medium package-key', 'secret-github-pat critical'],
  );
  assert.match(ms[1].reason!, /\(bundled from node_modules\/sdk\/lib\/keys\.js\)$/);
  // webpack's development output names its modules the same way.
  const webpack = [
    '/***/ "./node_modules/sdk/lib/keys.js":',
    '/***/ ((module) => {',
    `const probe = "${pem}";`,
    '/***/ }),',
    '/***/ "./src/config.js":',
    '/***/ ((module) => {',
    `var token = '${own}';`,
    '/***/ })',
    '',
  ].join('\n');
  assert.deepEqual(
    scanFile('/app/dist/main.js', webpack).map((m) => `${m.severity} ${m.code ?? ''}`.trim()),
    ['medium package-key', 'critical'],
  );
  // A minified bundle names no module: its matches are the application's.
  assert.equal(scanFile('/app/dist/app.min.js', `var a="${pem}";var t='${own}';\n`)[0].severity, 'critical');
  // A crafted bundle: a marker, then more marker-shaped lines than the look-back allows before
  // the match. The search gives up and the match stays the bundle's own (its full severity).
  const afterLines = (n: number) =>
    [
      '// node_modules/sdk/lib/keys.js',
      ...Array.from({ length: n }, (_, i) => `/x${i} y`),
      `var k = "${pem}";`,
      '',
    ].join('\n');
  assert.equal(scanFile('/app/dist/crafted.js', afterLines(600))[0].severity, 'critical');
  const near = afterLines(400);
  assert.equal(scanFile('/app/dist/near.js', near)[0].code, 'package-key');
  // Not a script: a marker-like line in a text file is nothing.
  assert.equal(scanFile('/app/notes.txt', webpack)[0].severity, 'critical');
});

test('library sources as Debian and Cargo ship them: test-named and bench directories, packaging patches, Rust #[cfg(test)] modules', () => {
  const pem = f.rsaPem() + '\n';
  for (const [path, code] of [
    ['/usr/share/rust-tls/test-ca/rsa/end.key', 'package-test'],
    ['/usr/share/cargo/registry/pem-1.0.2/benches/pem_benchmark.rs', 'package-test'],
    ['/app/node_modules/sdk/integration-tests/keys/server.key', 'package-test'],
    ['/usr/share/cargo/registry/native-tls-0.2.11/debian/patches/revert-tests.patch', 'package-docs'],
    // A key file in a crate's own sources or a vendored third-party tree: a published key.
    ['/usr/share/cargo/registry/webpki-0.22.0/third-party/chromium/data/priv.pem', 'package-key'],
    ['/root/.cargo/registry/src/index.example.org-1/ring-0.17.0/src/key.pem', 'package-key'],
  ]) {
    const [m] = scanFile(path, pem);
    assert.equal(m.code, code, path);
    assert.notEqual(m.severity, 'critical', path);
  }
  // A crate's unit tests follow its code in the same file, after #[cfg(test)].
  const tok = f.githubToken();
  const rs = `pub fn parse() {}\nconst OWN: &str = "${f.githubToken()}";\n\n#[cfg(test)]\nmod tests {\n    const T: &str = "${tok}";\n}\n`;
  assert.deepEqual(
    scanFile('/usr/share/cargo/registry/sdk-1.0.0/src/lib.rs', rs).map((m) => `${m.severity} ${m.code ?? ''}`.trim()),
    ['critical', 'info package-test'],
  );
  // A long test module: its tests run on past the scanner's first windows.
  const filler = Array.from({ length: 5000 }, (_, i) => `    fn case_${i}() { assert_eq!(parse(${i}), ${i}); }`).join(
    '\n',
  );
  const long = `pub fn parse() {}\n\n#[cfg(test)]\nmod tests {\n${filler}\n    const T: &str = "${tok}";\n}\n`;
  assert.ok(long.length > 3 * 65536);
  assert.deepEqual(
    scanFile('/usr/share/cargo/registry/sdk-1.0.0/src/lib.rs', long).map((m) => m.code),
    ['package-test'],
  );
  // The application's own Rust keeps both.
  assert.deepEqual(
    scanFile('/app/src/lib.rs', rs).map((m) => m.severity),
    ['critical', 'critical'],
  );
});

test("a Basic Authorization header with RFC 7617's example credentials or a placeholder password is info", () => {
  const basic = (pair: string) => `"Proxy-Authorization: Basic ${Buffer.from(pair).toString('base64')}"\n`;
  const [rfc] = scanFile('/app/src/client.rs', basic('Aladdin:open sesame'));
  assert.equal(rfc.severity, 'info');
  assert.equal(rfc.code, 'example-marker');
  const [ph] = scanFile('/app/src/client.js', basic(`deploy:changeme`));
  assert.equal(ph?.code, 'placeholder');
  // Real-looking credentials keep the rule's severity.
  assert.equal(scanFile('/app/src/client.js', basic(`deploy:${f.alnum(20)}`))[0].severity, 'high');
});
