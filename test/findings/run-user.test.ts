/**
 * USER resolved as runc resolves it against the image's /etc/passwd (src/findings/run-user.ts);
 * test/integration/run-user.test.ts takes the same facts from containers Docker starts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePasswd } from '../../src/findings/os/passwd.js';
import { runUser } from '../../src/findings/run-user.js';

const passwd = parsePasswd(
  [
    'toor:x:0:0::/:/bin/sh',
    '  app:x:abc:0::/:',
    'web:x:1000:1000::/:',
    'web:x:0:0::/:',
    'empty:x::5::/:',
    '',
    'big:x:99999999999999999999:0::/:',
    'neg:x:-7:0::/:',
  ].join('\n'),
);

test('/etc/passwd as runc reads it: lines trimmed, a uid that is not a number is 0, one beyond int64 its bound', () => {
  assert.deepEqual(
    passwd.map((e) => `${e.name}=${e.uid}`),
    ['toor=0', 'app=0', 'web=1000', 'web=0', 'empty=0', `big=${2 ** 63}`, 'neg=-7'],
  );
});

test('USER: a number is the uid, a name its first passwd line, nothing before the colon is root', () => {
  const cases: Array<[string, number | undefined]> = [
    ['', 0],
    [':5', 0],
    ['0', 0],
    ['00', 0],
    ['+0', 0],
    ['-0', 0],
    ['1000', 1000],
    ['1000:0', 1000],
    ['toor', 0],
    ['app', 0],
    ['web', 1000],
    ['empty', 0],
    ['big', undefined], // int64's bound: outside runc's range
    ['neg', undefined], // outside runc's range: does not start
    ['-5', undefined],
    ['2147483648', undefined],
    ['nobody', undefined], // no such line: does not start
    ['root', undefined], // this passwd has no root line
    [' toor', undefined],
    ['0x0', undefined],
  ];
  for (const [spec, uid] of cases) assert.equal(runUser(spec, passwd)?.uid, uid, JSON.stringify(spec));
  // No passwd in the image: names do not resolve, numbers do.
  assert.equal(runUser('root', []), undefined);
  assert.equal(runUser('0', [])?.uid, 0);
  // Not known yet (the explorer's early checks): only root is taken as root.
  assert.equal(runUser('root', undefined)?.uid, 0);
  assert.equal(runUser('toor', undefined), undefined);
});
