/**
 * The Docker client's own files (config.json, a context's meta.json, TLS material, --ca-file) are read
 * where the user's environment points: one that is a FIFO hung the command before any
 * time-out could start, one linked to a device never ended. Each must be a regular file of a
 * bounded size, or the command ends with one line naming it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { assertOneLineError, runCli } from '../support/hostile-cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-client-files-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const fifo = (p: string) => {
  mkdirSync(path.dirname(p), { recursive: true });
  assert.equal(spawnSync('mkfifo', [p]).status, 0);
};
const contextDir = (config: string, name: string) =>
  path.join(config, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));

/** A DOCKER_CONFIG directory, made by `make`. */
function configDir(label: string, make: (dir: string) => void): string {
  const dir = path.join(tmp, label);
  mkdirSync(dir, { recursive: true });
  make(dir);
  return dir;
}

const CASES: Array<{ label: string; env: Record<string, string>; line: RegExp }> = [
  {
    label: 'config.json a FIFO',
    env: { DOCKER_CONFIG: configDir('fifo', (d) => fifo(path.join(d, 'config.json'))), DOCKER_HOST: '' },
    line: /config\.json: not a regular file$/,
  },
  {
    label: 'config.json a link to /dev/zero',
    env: {
      DOCKER_CONFIG: configDir('zero', (d) => symlinkSync('/dev/zero', path.join(d, 'config.json'))),
      DOCKER_HOST: '',
    },
    line: /config\.json: not a regular file$/,
  },
  {
    label: 'config.json of 17 MiB',
    env: {
      DOCKER_CONFIG: configDir('huge', (d) => {
        writeFileSync(path.join(d, 'config.json'), '');
        truncateSync(path.join(d, 'config.json'), 17 << 20);
      }),
      DOCKER_HOST: '',
    },
    line: /config\.json: larger than 16 MiB: not a Docker client file$/,
  },
  {
    label: "a context's meta.json a FIFO",
    env: {
      DOCKER_CONFIG: configDir('meta', (d) => {
        writeFileSync(path.join(d, 'config.json'), '{"currentContext":"remote"}');
        fifo(path.join(contextDir(d, 'remote'), 'meta.json'));
      }),
      DOCKER_HOST: '',
    },
    line: /meta\.json: not a regular file$/,
  },
  {
    label: "a context's meta.json that is null",
    env: {
      DOCKER_CONFIG: configDir('meta-null', (d) => {
        writeFileSync(path.join(d, 'config.json'), '{"currentContext":"remote"}');
        mkdirSync(contextDir(d, 'remote'), { recursive: true });
        writeFileSync(path.join(contextDir(d, 'remote'), 'meta.json'), 'null');
      }),
      DOCKER_HOST: '',
    },
    line: /docker context "remote" has no docker endpoint \(.*meta\.json\)$/,
  },
  {
    label: 'DOCKER_CERT_PATH/ca.pem a FIFO',
    env: {
      DOCKER_HOST: 'tcp://127.0.0.1:1',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: configDir('certs', (d) => fifo(path.join(d, 'ca.pem'))),
    },
    line: /ca\.pem: not a regular file$/,
  },
];

test('--ca-file a FIFO: one line naming it, at once', async () => {
  const ca = path.join(tmp, 'ca-fifo', 'ca.pem');
  fifo(ca);
  const r = await runCli(['inspect', '--source', 'registry', '--ca-file', ca, 'example.org/team/app:v1'], {
    killAfterMs: 20_000,
  });
  assert.equal(r.killed, false, 'the CLI hung until it was killed');
  assert.match(assertOneLineError(r, '--ca-file'), /ca\.pem: not a regular file$/);
});

for (const c of CASES) {
  test(`${c.label}: one line naming it, at once`, async () => {
    const r = await runCli(['inspect', '--source', 'docker', 'team/app:v1'], { env: c.env, killAfterMs: 20_000 });
    assert.equal(r.killed, false, `${c.label}: the CLI hung until it was killed`);
    assert.match(assertOneLineError(r, c.label), c.line);
  });
}
