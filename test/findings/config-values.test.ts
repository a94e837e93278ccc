/**
 * Secrets in the rest of the image config (src/findings/config-values.ts): the commands a
 * container starts with, every other string, members of no field; found where they are, reported
 * once, and masked in every view that shows them (inspect --json, the explorer's history and
 * Image panel, a comparison's steps).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapHistory } from '../../src/engine/history.js';
import type { ImageConfig, ImageMeta } from '../../src/engine/types.js';
import { configFindings } from '../../src/findings/config.js';
import { configStrings, configValueFindings, redactConfigStrings } from '../../src/findings/config-values.js';
import { redactHistoryEntry } from '../../src/findings/redact.js';
import { redactConfig } from '../../src/report/inspect.js';
import { alnum, githubToken } from '../support/fake-secrets.js';

function metaOf(config: ImageConfig): ImageMeta {
  return { reference: 'x', source: 'archive', config, layers: [], history: mapHistory(config) };
}

test('secrets in commands, health checks, triggers, comments and members of no field are found where they are', () => {
  const token = githubToken();
  const key = alnum(32);
  const pass = alnum(14);
  const config: ImageConfig = {
    author: 'builder',
    config: {
      Env: [`GITHUB_TOKEN=${token}`],
      Labels: { 'org.example.token': token },
      Cmd: ['app', '--api-key', key, `--password=${pass}`, '--port', '8080'],
      Entrypoint: ['/bin/sh', '-c', `curl -H "Authorization: token ${token}" https://example.org`],
      Healthcheck: { Test: ['CMD', 'curl', '-fsS', '-u', `admin:${pass}`, 'http://localhost/'] },
      OnBuild: [`RUN echo ${token} > /tmp/t`],
      WorkingDir: '/app',
      Mystery: { nested: [{ token }] },
    },
    container_config: { Cmd: ['/bin/sh', '-c', `#(nop) ENV GITHUB_TOKEN=${token}`] },
    rootfs: { type: 'layers', diff_ids: [] },
    history: [{ created_by: 'RUN make', comment: `deployed with ${token}` }],
  };
  const findings = configValueFindings(metaOf(config));
  assert.deepEqual(findings.map((f) => f.key).sort(), [
    'config.Cmd[2]',
    'config.Cmd[3]',
    'config.Entrypoint[2]',
    'config.Healthcheck.Test[4]',
    'config.Mystery.nested[0].token',
    'config.OnBuild[0]',
    'history[0].comment',
  ]);
  // ENV and LABEL are their own checks' (config-env-secret, config-label-secret): not twice.
  assert.ok(!findings.some((f) => /Env|Labels|container_config/.test(f.key ?? '')));
  for (const f of findings) {
    assert.ok(f.severity === 'high' || f.severity === 'critical', `${f.key}: ${f.severity}`);
    for (const s of [token, key, pass]) assert.ok(!JSON.stringify(f).includes(s), `${f.key} shows a secret`);
  }
  // Nothing where nothing is: the plain arguments, the workdir, facts.
  assert.equal(
    configValueFindings(metaOf({ config: { Cmd: ['app', '--port', '8080'], WorkingDir: '/srv' } })).length,
    0,
  );
  assert.ok(!configStrings(config).some((s) => s.where.startsWith('rootfs') || s.where.endsWith('created_by')));
});

test('every view masks what the check reports, and shows the rest as it is', () => {
  const token = githubToken();
  const pass = alnum(14);
  const config: ImageConfig = {
    config: { Cmd: ['app', '--password', pass, '--port', '8080'], Surprise: token },
    history: [{ created_by: '/bin/sh -c #(nop)  CMD ["app"]', comment: `token ${token}`, author: 'me' }],
  };
  const shown = JSON.stringify(redactConfig(config, false));
  for (const s of [token, pass]) assert.ok(!shown.includes(s), 'inspect --json shows a secret');
  assert.ok(shown.includes('"--port","8080"'), 'the rest as it is');
  assert.equal(JSON.stringify(redactConfig(config, true)), JSON.stringify(config), '--reveal shows all');
  // The explorer's panels and a comparison's steps read these.
  assert.ok(!JSON.stringify(redactConfigStrings(config, false)).includes(pass));
  const entry = redactHistoryEntry(mapHistory(config)[0]);
  assert.ok(!JSON.stringify(entry).includes(token));
  assert.equal(entry.author, 'me');
});

test('an overridden CMD keeps its secret in the history: reported there; the last one is the config check`s', () => {
  const old = githubToken();
  const now = githubToken();
  const config: ImageConfig = {
    config: { Cmd: ['app', '--token', now] },
    history: [
      { created_by: `/bin/sh -c #(nop)  CMD ["app" "--token" "${old}"]`, empty_layer: true },
      { created_by: `/bin/sh -c #(nop)  CMD ["app" "--token" "${now}"]`, empty_layer: true },
    ],
  };
  const meta = metaOf(config);
  const fromHistory = configFindings(meta).filter((f) => f.ruleId === 'config-run-secret');
  assert.equal(fromHistory.length, 1);
  assert.match(fromHistory[0].title, /overridden CMD/);
  assert.equal(fromHistory[0].properties?.historyIndex, 0);
  assert.deepEqual(
    configValueFindings(meta).map((f) => f.key),
    ['config.Cmd[2]'],
  );
});

test("secrets in the manifest's annotations: a CI clone URL with its token, a key that names a credential; facts left alone", () => {
  const token = alnum(24);
  const meta = metaOf({ rootfs: { type: 'layers', diff_ids: [] } });
  meta.annotations = {
    'org.opencontainers.image.source': `https://ci-token:${token}@git.acme-corp.internal/team/app.git`,
    'com.example.deploy.api-token': alnum(32),
    'org.opencontainers.image.url': 'https://git.example.org/team/app',
    'org.opencontainers.image.revision':
      'a'.repeat(8) +
      alnum(32)
        .toLowerCase()
        .replace(/[^0-9a-f]/g, 'b'),
    'org.opencontainers.image.created': '2026-12-01T10:00:00Z',
    'org.opencontainers.image.base.digest': `sha256:${'c'.repeat(64)}`,
  };
  const found = configValueFindings(meta).filter((f) => f.ruleId === 'annotation-secret');
  assert.deepEqual(found.map((f) => f.properties?.annotation).sort(), [
    'com.example.deploy.api-token',
    'org.opencontainers.image.source',
  ]);
  for (const f of found) {
    assert.ok(f.severity === 'high' || f.severity === 'critical', `${f.properties?.annotation}: ${f.severity}`);
    assert.match(f.message, /readable by anyone who can pull the manifest/);
  }
  assert.ok(!JSON.stringify(found).includes(token), 'the token is masked');
  const revealed = configValueFindings(meta, { reveal: true }).filter((f) => f.ruleId === 'annotation-secret');
  assert.ok(JSON.stringify(revealed).includes(token), '--reveal shows it');
});
