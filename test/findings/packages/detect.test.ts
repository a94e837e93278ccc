import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageFileKind } from '../../../src/findings/packages/detect.js';
import type { EntryAttrs } from '../../../src/engine/types.js';

const small: EntryAttrs = { type: 'file', size: 10, mode: 0o644, uid: 0, gid: 0, mtime: 0 };

/** What the extension tests said when they compared the sliced, lower-cased extension. */
function byLowerCasedExtension(parts: string[]): string | undefined {
  const base = parts[parts.length - 1];
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const ext = base.slice(dot + 1).toLowerCase();
  if (ext === 'jar' || ext === 'war' || ext === 'ear') return 'java-archive';
  if (ext === 'gemspec' && parts[parts.length - 2] === 'specifications') return 'gemspec';
  if (ext === 'json' && base.endsWith('.deps.json')) return 'nuget-deps';
  if (ext === 'egg-info' && /^(site|dist)-packages$/.test(parts[parts.length - 2] ?? '')) return 'python-metadata';
  return undefined;
}

test('extensions match in any letter case and nothing else: as the lower-cased extension said', () => {
  const stems = ['app', 'a.b', '.hidden', 'x'];
  const exts = [
    'jar',
    'JAR',
    'Jar',
    'jaR',
    'war',
    'WAR',
    'ear',
    'EaR',
    'jars',
    'ja',
    'j@r',
    'jar ',
    'gemspec',
    'GemSpec',
    'json',
    'JSON',
    'egg-info',
    'EGG-INFO',
    'egg_info',
    'egg-İnfo',
    'ear\u0000',
    'ｊａｒ',
    'ja\u212Ar',
    '',
  ];
  const dirs = [['usr', 'lib'], ['specifications'], ['usr', 'lib', 'python3', 'dist-packages'], ['site-packages']];
  let matched = 0;
  for (const stem of stems)
    for (const ext of exts)
      for (const dir of dirs) {
        for (const base of [`${stem}.${ext}`, `${stem}.deps.${ext}`]) {
          const parts = [...dir, base];
          const want = byLowerCasedExtension(parts);
          assert.equal(packageFileKind(parts, small), want, parts.join('/'));
          if (want) matched++;
        }
      }
  assert.ok(matched > 50, `${matched} names matched`);
});
