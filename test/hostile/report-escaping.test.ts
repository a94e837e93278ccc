/**
 * Every report a command prints, on an image whose every string holds what a terminal acts on: an
 * OSC title sequence, BEL, a bidi override (U+202E), C1 controls (U+009B is a CSI to some
 * terminals, U+0085 a line break), a line separator (U+2028) and a zero-width space. The platform's
 * variant reached the `scan` table's title and the `diff` report raw (the terminal's title
 * changed), and the JSON reports (`scan --format json|sarif|cyclonedx`, `inspect --json`, `diff
 * --format json`) wrote everything but the C0 controls raw, JSON.stringify's own escaping: now they
 * are `\uXXXX` escapes, which parse back to the very same strings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import type { ImageConfig } from '../../src/engine/types.js';
import { toTable } from '../../src/report/table.js';
import { alnum } from '../support/fake-secrets.js';
import { type CliResult, runCli } from '../support/hostile-cli.js';
import { metaOfConfig, writeOciLayout } from '../support/oci-layout.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-report-escaping-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const H = '\x1b]0;PWNED\x07\u202eRLO\u009b2J\u0085NEL\u2028LS\u200bZW';
/** Anything but SGR colour codes, tabs and newlines that a terminal would act on or hide. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;
const NAME = `f${H}.txt`;
/** Markdown a SARIF viewer renders: an image fetched from a host of the image's choosing, a link. */
const MD = '![p](https://example.org/p.png)[click](https://example.org)';
let image = '';

before(async () => {
  const tar = await buildTar([
    { name: 'app/', type: 'directory' },
    { name: `app/${NAME}`, content: 'x' },
    { name: `app/lnk${H}`, type: 'symlink', linkname: `target${H}` },
  ]);
  const config: ImageConfig = {
    os: 'linux',
    architecture: 'arm',
    variant: `v7${H}`,
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [{ created_by: `RUN echo ${H}`, author: `a${H}` }],
    config: {
      Env: [`K${H}=v${H}`, `${MD}_TOKEN=ghp_${alnum(36)}`],
      Labels: { [`l${H}`]: `v${H}`, [`${MD}.token`]: `ghp_${alnum(36)}` },
      User: `u${H}`,
      WorkingDir: `/w${H}`,
      Entrypoint: [`/e${H}`],
      ExposedPorts: { '8080/tcp': {} },
    },
  };
  const meta = metaOfConfig(config, [tar], 'x', 'oci');
  image = (await writeOciLayout(path.join(tmp, 'img'), meta, [tar], 'latest', { [`a${H}`]: `v${H}` })).dir;
});

function assertSafe(r: CliResult, what: string): string {
  assert.equal(r.status, 0, `${what}: ${r.stderr}`);
  const out = r.stdout.toString();
  const bad = RAW.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
  assert.equal(
    bad,
    null,
    `${what}: ${JSON.stringify(out.slice(Math.max(0, (bad?.index ?? 0) - 40), (bad?.index ?? 0) + 10))}`,
  );
  return out;
}

test('scan and diff tables and inspect: the platform is escaped as every other string', async () => {
  const scan = assertSafe(await runCli(['scan', image]), 'scan');
  assert.ok(scan.split('\n')[0].includes('linux/arm/v7\\e]0;'), scan.split('\n')[0]);
  // (inspect's text header printed it raw: the review of the reports found it, outside their code.)
  const inspect = assertSafe(await runCli(['inspect', image]), 'inspect');
  assert.ok(inspect.split('\n')[0].includes('linux/arm/v7\\e]0;'), inspect.split('\n')[0]);
  const diff = assertSafe(await runCli(['diff', image, image]), 'diff');
  assert.match(diff, /linux\/arm\/v7\\e\]0;/);
});

test('JSON reports: nothing raw, and the strings parse back whole', async () => {
  for (const format of ['json', 'sarif', 'cyclonedx']) {
    const out = assertSafe(await runCli(['scan', image, '--format', format]), `scan --format ${format}`);
    assert.ok(out.includes('\\u202e') && out.includes('\\u009b'), format);
    JSON.parse(out);
  }
  const json = JSON.parse(assertSafe(await runCli(['scan', image, '--format', 'json']), 'scan json'));
  assert.equal(json.image.user, `u${H}`);
  assert.equal(json.image.platform, `linux/arm/v7${H}`.toLowerCase()); // (variants are compared lower-case)

  const doc = JSON.parse(assertSafe(await runCli(['inspect', '--json', image]), 'inspect --json'));
  const changes = doc.layers[0].changes as Array<{ path: string; linkTarget?: string }>;
  assert.ok(changes.some((c) => c.path === `/app/${NAME}`));
  assert.ok(changes.some((c) => c.linkTarget === `target${H}`));
  assert.equal(doc.image.config.config.User, `u${H}`);
  assert.equal(doc.layers[0].createdBy, `RUN echo ${H}`);

  JSON.parse(assertSafe(await runCli(['diff', image, image, '--format', 'json']), 'diff --format json'));
});

test('a digest that is not one (a daemon says what it likes) is escaped in the table', () => {
  const out = toTable([], {
    reference: 'app',
    source: 'docker',
    digest: `sha256:${H}`,
    configDigest: null,
    platform: null,
    user: null,
    exposedPorts: [],
    layers: [],
  });
  assert.equal(RAW.exec(out), null, JSON.stringify(out));
  assert.ok(out.startsWith('app  sha256:\\e]0;PWNED\\x07\\u202e'), out);
});

test("SARIF rules' help markdown: names from the image are text, not markup", async () => {
  const sarif = JSON.parse(assertSafe(await runCli(['scan', image, '--format', 'sarif']), 'sarif'));
  const rules = sarif.runs[0].tool.driver.rules as Array<{ id: string; help: { markdown: string } }>;
  const named = rules.filter((r) => r.help.markdown.includes('example.org'));
  assert.ok(named.length >= 2, rules.map((r) => r.help.markdown).join('\n'));
  // (No bracket but an escaped one: `\[p\](…)` is text.)
  for (const r of named) assert.doesNotMatch(r.help.markdown, /(?<!\\)[[\]]/, r.help.markdown);
});
