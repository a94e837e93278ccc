/**
 * Layers written by GNU tar in each of its formats (gnu, posix/pax, ustar, v7) parse to the same
 * entries: long names (GNU 'L'/'K' records vs PAX path/linkpath), big uids (base-256 vs PAX), modes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { entryList, parseLayer, type ParsedLayer } from '../../src/engine/parse-layer.js';

const hasTar = (() => {
  try {
    return /GNU tar/.test(execFileSync('tar', ['--version'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
})();

function fixtureDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'll-tar-'));
  const long = 'l'.repeat(120);
  mkdirSync(join(d, 'root', long), { recursive: true });
  writeFileSync(join(d, 'root', long, 'file-with-a-long-name-' + 'n'.repeat(60)), 'hello');
  writeFileSync(join(d, 'root', 'suid'), '#!/bin/true\n');
  chmodSync(join(d, 'root', 'suid'), 0o4755);
  symlinkSync('/' + 't'.repeat(110) + '/target', join(d, 'root', 'longlink'));
  linkSync(join(d, 'root', 'suid'), join(d, 'root', 'hard'));
  mkdirSync(join(d, 'root', 'sticky'));
  chmodSync(join(d, 'root', 'sticky'), 0o1777);
  return d;
}

function summary(parsed: ParsedLayer): string[] {
  return entryList(parsed)
    .map((e) => {
      if (e.kind === 'refused') return `refused ${e.name}`;
      if (e.kind !== 'entry') return `${e.kind} ${e.parts.join('/')}`;
      const a = e.attrs;
      return `${a.type} ${e.path} ${a.size} ${a.mode.toString(8)} ${a.uid}${a.linkTarget ? ' -> ' + a.linkTarget : ''}`;
    })
    .sort();
}

test('GNU tar formats gnu, posix and ustar parse to the same entries', {
  skip: hasTar ? undefined : 'GNU tar not installed',
}, async () => {
  const d = fixtureDir();
  try {
    const results: Record<string, string[]> = {};
    for (const format of ['gnu', 'posix']) {
      const buf = execFileSync(
        'tar',
        ['-C', d, `--format=${format}`, '--owner=3000000', '--group=5', '-cf', '-', 'root'],
        { maxBuffer: 1 << 24 },
      );
      results[format] = summary(await parseLayer(Readable.from([buf])));
    }
    assert.deepEqual(results.gnu, results.posix);
    const lines = results.gnu;
    assert.ok(
      lines.some((l) =>
        l.startsWith(`file root/${'l'.repeat(120)}/file-with-a-long-name-${'n'.repeat(60)} 5 644 3000000`),
      ),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => l.startsWith('file root/suid 12 4755 3000000')),
      'setuid kept',
    );
    assert.ok(
      lines.some((l) => l.startsWith('dir root/sticky 0 1777')),
      'sticky kept',
    );
    assert.ok(
      lines.some((l) => l === `symlink root/longlink 0 777 3000000 -> /${'t'.repeat(110)}/target`),
      'long symlink target',
    );
    assert.ok(
      lines.some(
        (l) =>
          l === 'hardlink root/hard 0 4755 3000000 -> /root/suid' ||
          l === 'hardlink root/suid 0 4755 3000000 -> /root/hard',
      ),
    );
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('v7 archives (no magic) parse', { skip: hasTar ? undefined : 'GNU tar not installed' }, async () => {
  const d = mkdtempSync(join(tmpdir(), 'll-tar-'));
  try {
    writeFileSync(join(d, 'a.txt'), 'v7 data');
    const buf = execFileSync('tar', ['-C', d, '--format=v7', '-cf', '-', 'a.txt']);
    const parsed = await parseLayer(Readable.from([buf]));
    assert.deepEqual(summary(parsed), ['file a.txt 7 644 0'.replace(' 0', ` ${process.getuid?.() ?? 0}`)]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('byte-at-a-time delivery gives the same result as one chunk', async () => {
  const d = fixtureDir();
  try {
    const buf = hasTar
      ? execFileSync('tar', ['-C', d, '--format=posix', '-cf', '-', 'root'], { maxBuffer: 1 << 24 })
      : undefined;
    if (!buf) return;
    const whole = summary(await parseLayer(Readable.from([buf])));
    const pieces: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 7) pieces.push(buf.subarray(i, i + 7));
    const split = summary(await parseLayer(Readable.from(pieces)));
    assert.deepEqual(split, whole);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
