/** The streaming scanner around the rules: context downgrades, binaries, caps, windows, masking. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskSecret } from '../../../src/findings/secrets/mask.js';
import { scanString } from '../../../src/findings/secrets/scanner.js';
import * as f from '../../support/fake-secrets.js';
import { scanFile } from '../../support/scan-file.js';

test('documentation and runtime test data are downgraded to info with the reason', () => {
  const tok = `${f.githubToken()}`;
  for (const path of [
    '/usr/share/doc/git/examples/config',
    '/usr/lib/go/src/crypto/tls/testdata/example-key.pem',
    '/usr/lib/python3.11/test/keycert.pem',
    '/app/node_modules/jsonwebtoken/test/priv.pem',
  ]) {
    const ms = scanFile(path, `${tok}\n${f.rsaPem()}`);
    assert.ok(ms.length >= 2, path);
    for (const m of ms) {
      assert.equal(m.severity, 'info', `${path}: ${m.ruleId}`);
      assert.match(m.reason ?? '', /shipped|documentation|test/);
    }
  }
  // The application's own test directory: one level lower, not hidden.
  const app = scanFile('/app/tests/fixtures.env.txt', `${tok}\n`);
  assert.equal(app[0].severity, 'high');
  assert.match(app[0].reason!, /test or example data/);
  // The same token anywhere else stays critical.
  assert.equal(scanFile('/etc/app/config.ini', `${tok}\n`)[0].severity, 'critical');
});

test('encrypted private keys are medium and say so', () => {
  const pem = scanFile('/k.pem', f.encryptedPkcs8Pem());
  assert.equal(pem[0].ruleId, 'secret-private-key');
  assert.equal(pem[0].severity, 'medium');
  assert.equal(pem[0].encrypted, true);
  const ssh = scanFile('/root/.ssh/id_ed25519', f.opensshKey('aes256-ctr'));
  assert.equal(ssh[0].ruleId, 'secret-openssh-private-key');
  assert.equal(ssh[0].severity, 'medium');
  assert.match(ssh[0].reason!, /aes256-ctr/);
  assert.equal(scanFile('/root/.ssh/id_ed25519', f.opensshKey('none'))[0].severity, 'critical');
});

test('binary files are skipped by their first bytes; keystores are still reported by name', () => {
  const tok = `${f.githubToken()}`;
  const bin = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\0', 'latin1'), Buffer.alloc(64), Buffer.from(tok)]);
  assert.deepEqual(scanFile('/usr/bin/tool', bin), []);
  const ks = scanFile(
    '/app/keystore.jks',
    Buffer.concat([Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]), Buffer.from(tok)]),
  );
  assert.deepEqual(
    ks.map((m) => m.ruleId),
    ['secret-keystore-file'],
  );
});

test('a NUL anywhere in the first 8 KiB makes a file binary, however the stream cuts them', () => {
  const tok = `${f.githubToken()}`;
  const file = (nulAt: number) => {
    const text = Buffer.from(`${tok}\n${'y'.repeat(9000)}\n`);
    text[nulAt] = 0;
    return text;
  };
  // (The first chunk can be a few bytes: a gzip output chunk of the layer ends there.)
  for (const chunk of [5, 100, 4096, 8191, 8192, 65536]) {
    assert.deepEqual(scanFile('/app/a.txt', file(8191), { chunk }), [], `NUL at 8191, chunks of ${chunk}`);
    assert.deepEqual(
      scanFile('/app/a.txt', file(8192), { chunk }).map((m) => m.ruleId),
      ['secret-github-pat'],
      `NUL at 8192, chunks of ${chunk}`,
    );
  }
});

test('bytes past the per-file cap are not read', () => {
  const tok = `${f.githubToken()}`;
  const filler = 'x'.repeat(99) + '\n';
  const body = filler.repeat(2000) + tok + '\n';
  assert.equal(scanFile('/big.txt', body, { maxBytes: 1 << 20 }).length, 1);
  assert.equal(scanFile('/big.txt', body, { maxBytes: 100_000 }).length, 0);
});

test('windows: line numbers stay right across 64 KiB windows and small chunks; a key split across windows is found', () => {
  const tok = `${f.githubToken()}`;
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) lines.push(`line ${i} ${'y'.repeat(30)}`);
  lines[4321] = `token=${tok}`;
  const key = f.rsaPem();
  const text = lines.join('\n') + '\n' + 'z'.repeat(65536 - 500) + '\n' + key;
  for (const chunk of [7, 4096, 65536, 1 << 20]) {
    const ms = scanFile('/data.txt', text, { chunk });
    const t = ms.find((m) => m.ruleId === 'secret-github-pat');
    assert.equal(t?.line, 4322, `chunk ${chunk}`);
    const k = ms.find((m) => m.ruleId === 'secret-private-key');
    assert.equal(k?.line, 5002, `chunk ${chunk}`);
    assert.equal(k?.severity, 'critical');
  }
});

test('the same findings whatever the chunking: one chunk, many small ones, window-sized ones', () => {
  // Lone chunks are scanned in place, several are joined, a tail is carried to the next window:
  // every path must give identical matches and line numbers.
  const lines: string[] = [];
  for (let i = 0; i < 6000; i++) {
    if (i % 997 === 5) lines.push(`api_token = "${f.alnum(32)}"`);
    else if (i % 1499 === 7) lines.push(`url = https://deploy:${f.alnum(16)}@git.example.org/repo.git`);
    else if (i === 4000) lines.push(f.rsaPem().trimEnd());
    else lines.push(`// the token of a function returns ${i} and secret handling for key ${i % 13}`);
  }
  const text = lines.join('\n') + '\n';
  const whole = scanFile('/srv/app/settings.py', text, { chunk: text.length });
  assert.ok(whole.length >= 8, `found ${whole.length}`);
  for (const chunk of [1, 13, 1000, 65535, 65536, 70000]) {
    assert.deepEqual(scanFile('/srv/app/settings.py', text, { chunk }), whole, `chunk ${chunk}`);
  }
});

test('a big chunk is scanned in windows of about 64 KiB: keys across every cut, long lines, batched files', async () => {
  // A layer's chunk is up to 1 MiB and a batched file up to 256 KiB: both are cut into windows
  // after a line's end near 64 KiB (a string over 128 KiB costs ~25x per byte). A key block that
  // a cut would split goes whole into the next window; a line longer than a window is one window.
  const { FileSecretScanner } = await import('../../../src/findings/secrets/scanner.js');
  const { scanKeywordsJs } = await import('../../../src/findings/secrets/keywords.js');
  // (Short lines, the last one shorter: n bytes in all.)
  const filler = (n: number) => {
    const line = '# settings of the service, nothing secret here\n';
    const full = line.repeat(Math.floor(n / line.length));
    return full.length === n ? full : `${full}${'#'.repeat(n - full.length - 1)}\n`;
  };
  let text = '';
  const keys: number[] = [];
  for (let w = 1; w <= 6; w++) {
    // A key whose block starts a little before the w-th 64 KiB boundary, so that a cut there splits it.
    text += filler(w * 65536 - text.length - 200 - w * 37);
    keys.push(text.split('\n').length);
    text += f.rsaPem();
  }
  text += `const bundle="${'x'.repeat(150_000)}";const GITTER_TOKEN="${f.hex(40)}";\n`; // one long line
  const tokenLine = text.split('\n').length - 1;
  text += filler(3000);
  // (A key is whole in its window: one cut short would read as an elided key, downgraded.)
  const lines = (ms: { ruleId: string; line: number | null; severity: string }[], rule: string) =>
    ms.filter((m) => m.ruleId === rule && m.severity !== 'info' && m.severity !== 'low').map((m) => m.line);
  const small = scanFile('/srv/app/settings.conf', text, { chunk: 4096 });
  assert.deepEqual(lines(small, 'secret-private-key'), keys);
  assert.deepEqual(lines(small, 'secret-gitter-token'), [tokenLine]);
  assert.deepEqual(scanFile('/srv/app/settings.conf', text, { chunk: text.length }), small, 'one chunk');
  // A batched file's hits are found once for the file (secrets/batch.ts) and shared out.
  const part = Buffer.from(text.slice(0, 4 * 65536 - 100));
  const whole = new FileSecretScanner('/srv/app/settings.conf').scanWhole(part, scanKeywordsJs(part));
  assert.deepEqual(whole, scanFile('/srv/app/settings.conf', part, { chunk: 1000 }));
  assert.deepEqual(lines(whole ?? [], 'secret-private-key').slice(0, 3), keys.slice(0, 3));
});

test('evidence is masked: first 4 characters and the length; --reveal shows the value', () => {
  const tok = `${f.githubToken()}`;
  const [m] = scanFile('/c.ini', `token = ${tok}\n`);
  assert.equal(m.evidence, 'token = ghp_…(40 chars)');
  assert.ok(!m.evidence.includes(tok.slice(4, 10)));
  const [r] = scanFile('/c.ini', `token = ${tok}\n`, { reveal: true });
  assert.equal(r.evidence, `token = ${tok}`);
  assert.equal(maskSecret('abcdefghijklmnop'), 'abcd…(16 chars)');
  assert.equal(maskSecret('short1'), 'sh…(6 chars)', 'short values show fewer characters');
  assert.equal(
    maskSecret('\x1b[31mred-value-x'),
    '\\e[31…(16 chars)',
    'control characters escaped as everywhere (\\e)',
  );
  // A key's evidence shows its header, never its body.
  const key = f.rsaPem();
  const [k] = scanFile('/id_rsa', key);
  assert.match(k.evidence, /^-----BEGIN RSA PRIVATE KEY----- MII.…\(\d+ chars\)$/);
});

test('one value reported once: the credential-file parser wins over the pattern rule on the same line', () => {
  const secret = f.b64(40);
  const ms = scanFile('/root/.aws/credentials', `[default]\naws_secret_access_key = ${secret}\n`);
  assert.deepEqual(
    ms.map((m) => m.ruleId),
    ['secret-aws-credentials-file'],
  );
  // A format rule that rates the value higher than the file's parser does wins: the .env line
  // holding an AWS secret key or a GitHub token is that key (critical), not only a .env secret
  // (high); at the same severity the parser's finding stays.
  const env = scanFile(
    '/app/.env',
    `AWS_ACCESS_KEY_ID=AKIA${f.base32(16)}\nAWS_SECRET_ACCESS_KEY=${secret}\nGITHUB_TOKEN=${f.githubToken()}\nDB_PASSWORD=${f.alnum(20)}\n`,
  );
  assert.deepEqual(
    env.map((m) => [m.line, m.ruleId, m.severity]),
    [
      [1, 'secret-dotenv', 'high'],
      [2, 'secret-aws-secret-access-key', 'critical'],
      [3, 'secret-github-pat', 'critical'],
      [4, 'secret-dotenv', 'high'],
    ],
  );
  // Specific rule and generic rule on one line: only the specific one.
  const g = scanString(`api_token = "${f.githubToken()}"`);
  assert.deepEqual(
    g.map((m) => m.ruleId),
    ['secret-github-pat'],
  );
});

test('generic matches in files a package installed are info (format rules keep their severity there)', () => {
  const line = `db_password = "${f.alnum(20)}"\n`;
  const [g] = scanFile('/usr/lib/python3/dist-packages/lib/client.py', line);
  assert.equal(g.severity, 'info');
  assert.match(g.reason!, /installed by a package/);
  assert.equal(scanFile('/app/settings.py', line)[0].severity, 'medium');
  const [t] = scanFile('/usr/lib/python3/dist-packages/lib/client.py', `TOKEN = "${f.githubToken()}"\n`);
  assert.equal(t.severity, 'critical');
});

test('the file-name guard of the credential-file rules never hides a file a rule reads', async () => {
  const { CREDENTIAL_FILE_RULES, credentialRulesFor } = await import(
    '../../../src/findings/secrets/credential-files.js'
  );
  const names = [
    '.npmrc',
    'npmrc',
    '.pypirc',
    '.netrc',
    '_netrc',
    '.git-credentials',
    '.pgpass',
    'pgpass.conf',
    'settings.xml',
    'nuget.config',
    'NuGet.Config',
    '.env',
    '.env.production',
    '.env.example',
    'wp-config.php',
    'admin.conf',
    'kubelet.conf',
    'controller-manager.conf',
    'scheduler.conf',
    'kubeconfig',
    'prod-kubeconfig.yaml',
    'MY.KUBECONFIG',
    'cert.p12',
    'CERT.PFX',
    'store.jks',
    'app.keystore',
    'x.bcfks',
    'config',
    'config.json',
    'credentials',
    'id_rsa',
    'README',
    'f123',
    'lib.so',
    'ENV',
    'Settings.xml',
    'x.p12.bak',
  ];
  const dirs = [
    '/',
    '/root/',
    '/root/.docker/',
    '/home/u/.kube/',
    '/root/.aws/',
    '/root/.m2/',
    '/usr/share/maven/conf/',
    '/app/',
  ];
  let matched = 0;
  for (const dir of dirs) {
    for (const name of names) {
      const path = dir + name;
      const naive = CREDENTIAL_FILE_RULES.filter((r) => r.matches(path, name)).map((r) => r.id);
      assert.deepEqual(
        credentialRulesFor(path).map((r) => r.id),
        naive,
        path,
      );
      if (naive.length) matched++;
    }
  }
  // The list exercises the rules, not only the guard's negative side.
  assert.ok(matched > 60, `${matched} paths matched a rule`);
});

test('hits that what follows rules out are dropped, and the rules find the same with or without them', async () => {
  const { scanWindow } = await import('../../../src/findings/secrets/scanner.js');
  const { scanKeywords } = await import('../../../src/findings/secrets/keywords.js');
  const hits = (text: string) => scanKeywords(Buffer.from(text, 'latin1')).positions.length;
  // A random value with no keyword of its own: one in a few hundred 36-character values holds
  // "pwd", "eyj" or "xox" somewhere, which would add a hit and fail the counts below at random.
  const plain = (n: number) => {
    for (;;) {
      const s = f.alnum(n);
      if (hits(s) === 0) return s;
    }
  };
  // Prose, a URL without credentials, curl without -u, "Asia", "msg.": no hit survives.
  assert.equal(
    hits('see the docs for the token format\nhttps://example.org/docs\nand curl it\nin Asia; msg.send()\n'),
    0,
  );
  // An assignment holds a hit when a value of 8 bytes or more follows (no whitespace or quote in
  // them): short expressions, the most common assignments to such names in code, do not.
  assert.equal(hits('token: see https://example.org/docs\n'), 0);
  assert.equal(hits('self.token = token\ntoken=None,\nsecret: string;\npassword = "";\n'), 0);
  assert.equal(hits(`token: ${plain(8)}\n`), 1);
  assert.equal(hits(`token := "${plain(10)}"\n`), 1);
  assert.equal(hits(`"token" => '${plain(10)}'\n`), 1);
  assert.equal(hits(`token = \`${plain(9)} more\`\n`), 1);
  assert.equal(hits(`token = "${plain(7)}"\n`), 0);
  assert.equal(hits(`db: https://app:${plain(12)}@db.example.org/x\n`), 1);
  assert.equal(hits(`TOKEN=${plain(24)}\n`), 1);
  assert.equal(hits(`curl -u admin:${plain(12)} https://example.org\n`), 1);
  // Rules without a follow test: every hit stays.
  assert.ok(hits(f.rsaPem()) > 0);
  assert.equal(hits(`ghp_${plain(36)}\n`), 1);
  // Randomly built text: the rules find exactly the same given all hits or only the kept ones.
  const words = [
    'token',
    'password',
    'https://',
    'curl',
    'secret',
    'api_key',
    '@',
    ':',
    '=',
    ' -u ',
    '"',
    'x9Kq2LmP7vRt',
    '\n',
    ' ',
    'sg.',
    'SG.',
    'xoxb-',
    'eyJ',
    'AKIA',
    'Authorization',
  ];
  let found = 0;
  for (let r = 0; r < 3000; r++) {
    let text = '';
    while (text.length < 200)
      text +=
        words[Math.floor(Math.random() * words.length)] +
        (Math.random() < 0.3 ? f.alnum(Math.floor(Math.random() * 30)) : '');
    const all: unknown[] = [];
    const kept: unknown[] = [];
    scanWindow(text, 1, all as never[]); // (a string: every hit)
    scanWindow(text, 1, kept as never[], {}, undefined, undefined, scanKeywords(Buffer.from(text, 'latin1')));
    // (The same matches; their order follows the first hit on each line, which may differ.)
    const sorted = (ms: unknown[]) => ms.map((m) => JSON.stringify(m)).sort();
    assert.deepEqual(sorted(kept), sorted(all), JSON.stringify(text));
    found += all.length;
  }
  assert.ok(found > 300, `only ${found} matches: the text does not exercise the rules`);
});
