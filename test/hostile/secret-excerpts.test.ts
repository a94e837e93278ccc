/**
 * A finding's evidence shows the text before the secret on its line (the key name): when that text
 * held another secret, it was shown as written. On `GH=ghp_… other=ghp_…` the second token's
 * evidence held 33 of the first one's 40 characters, in every report; in a .env file a token's
 * evidence held the password before it (the .env parser's value) whole. Two secrets on one line of
 * a file, in one ENV value and in one RUN command: no report shows more of any of them than its
 * mask does (the first 4 characters).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildTar, sha256 } from '../../src/engine/build-tar.js';
import type { ImageConfig } from '../../src/engine/types.js';
import { alnum } from '../support/fake-secrets.js';
import { runCli } from '../support/hostile-cli.js';
import { metaOfConfig, writeOciLayout } from '../support/oci-layout.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-secret-excerpts-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const token = () => `ghp_${alnum(36)}`;
const tokens = Array.from({ length: 8 }, token);
const password = alnum(18);
// (Passwords on command lines, found by the config check's own patterns, not the secret rules.)
const mysqlPassword = alnum(18);
const loginPassword = alnum(18);
let image = '';

before(async () => {
  const tar = await buildTar([
    { name: 'app/', type: 'directory' },
    { name: 'app/deploy.sh', content: `#!/bin/sh\nexport GH=${tokens[0]} OTHER=${tokens[1]}\n` },
    // (The .env parser's value, the rest of the line, is found apart from the token's rule.)
    { name: 'app/.env', content: `DB_PASSWORD=${password} GH=${tokens[6]}\n` },
  ]);
  const config: ImageConfig = {
    os: 'linux',
    architecture: 'amd64',
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [
      { created_by: `RUN echo ${tokens[2]} ${tokens[3]} > /dev/null` },
      { created_by: `RUN mysql -p${mysqlPassword} -e x && docker login -u ${tokens[7]} --password ${loginPassword}` },
    ],
    config: { Env: [`TOKENS=${tokens[4]},${tokens[5]}`] },
  };
  const meta = metaOfConfig(config, [tar], 'x', 'oci');
  image = (await writeOciLayout(path.join(tmp, 'img'), meta, [tar])).dir;
});

/** The first piece of 8 characters of a token, past its visible 4, found in `out`. */
function shownPart(out: string): string | undefined {
  for (const t of [...tokens, password, mysqlPassword, loginPassword])
    for (let i = 4; i + 8 <= t.length; i++) if (out.includes(t.slice(i, i + 8))) return `${t}: ${t.slice(i, i + 8)}`;
  return undefined;
}

test('two secrets on a line: neither shows past its mask, in any report', async () => {
  let found = 0;
  for (const format of ['table', 'json', 'sarif', 'markdown']) {
    const r = await runCli(['scan', image, '--format', format, '--severity', 'info']);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.toString();
    assert.equal(shownPart(out), undefined, `${format}:\n${out}`);
    if (format === 'json') {
      const evidence = (JSON.parse(out).findings as Array<{ evidence: string | null }>).map((f) => f.evidence ?? '');
      // (Each line's second secret: its evidence shows the first one masked before it.)
      assert.ok(
        evidence.some((e) => /^ghp_…\(40 chars\) OTHER=ghp_…\(40 chars\)$/.test(e)),
        evidence.join('\n'),
      );
      found = evidence.filter((e) => e.includes('ghp_…(40 chars)')).length;
    }
  }
  assert.ok(found >= 4, `the findings on the tokens: ${found}`);
  // --reveal shows them, as asked.
  const r = await runCli(['scan', image, '--format', 'json', '--reveal', '--severity', 'info']);
  assert.ok(r.stdout.toString().includes(tokens[1]));
});
