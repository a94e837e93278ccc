import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Platform } from '../../../src/engine/types.js';
import {
  bestPlatformMatch,
  formatPlatform,
  hostPlatform,
  parsePlatform,
  platformVector,
  samePlatform,
} from '../../../src/sources/registry/platform.js';

const p = (s: string): Platform => {
  const [os, architecture, variant] = s.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
};

test('parsePlatform normalises like containerd', () => {
  assert.deepEqual(parsePlatform('linux/aarch64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('linux/x86_64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('arm64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/armhf'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.throws(() => parsePlatform('linux//v7'), /invalid platform/);
  assert.throws(() => parsePlatform('a/b/c/d'), /invalid platform/);
});

test('arm64 and arm64/v8 are the same platform', () => {
  assert.ok(samePlatform(p('linux/arm64'), p('linux/arm64/v8')));
  assert.ok(!samePlatform(p('linux/arm64'), p('linux/arm/v8')));
  assert.equal(bestPlatformMatch(parsePlatform('linux/arm64'), [p('linux/amd64'), p('linux/arm64/v8')]), 1);
  assert.equal(bestPlatformMatch(parsePlatform('linux/arm64/v8'), [p('linux/amd64'), p('linux/arm64')]), 1);
});

test('arm/v7 falls back to v6 then v5, never up', () => {
  assert.deepEqual(platformVector(p('linux/arm/v7')).map(formatPlatform), [
    'linux/arm/v7',
    'linux/arm/v6',
    'linux/arm/v5',
  ]);
  assert.equal(bestPlatformMatch(p('linux/arm/v7'), [p('linux/arm/v5'), p('linux/arm/v6'), p('linux/amd64')]), 1);
  assert.equal(bestPlatformMatch(p('linux/arm/v6'), [p('linux/arm/v7')]), -1);
});

test('arm64 can run arm/v8…v5 after every arm64 variant; amd64 runs 386', () => {
  assert.deepEqual(platformVector(p('linux/arm64')).map(formatPlatform), [
    'linux/arm64',
    'linux/arm/v8',
    'linux/arm/v7',
    'linux/arm/v6',
    'linux/arm/v5',
  ]);
  assert.deepEqual(platformVector(p('linux/arm64/v8.2')).map(formatPlatform).slice(0, 3), [
    'linux/arm64/v8.2',
    'linux/arm64/v8.1',
    'linux/arm64',
  ]);
  assert.equal(bestPlatformMatch(p('linux/arm64'), [p('linux/arm/v6'), p('linux/arm/v7')]), 1);
  assert.equal(bestPlatformMatch(p('linux/amd64'), [p('linux/386'), p('linux/arm64')]), 0);
  assert.deepEqual(platformVector(p('linux/amd64/v3')).map(formatPlatform), [
    'linux/amd64/v3',
    'linux/amd64/v2',
    'linux/amd64',
    'linux/386',
  ]);
});

test('os must match and undefined candidates never match', () => {
  assert.equal(bestPlatformMatch(p('linux/amd64'), [p('windows/amd64'), undefined]), -1);
  assert.equal(bestPlatformMatch(p('linux/amd64'), [undefined, p('linux/amd64')]), 1);
});

test('the host platform is a linux platform of this CPU', () => {
  const h = hostPlatform();
  assert.equal(h.os, 'linux');
  const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
  if (expected[process.arch]) assert.equal(h.architecture, expected[process.arch]);
});
