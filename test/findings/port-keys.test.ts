/**
 * ExposedPorts keys read as Docker publishes them with `-P` (go-connections' nat), the facts
 * test/integration/publish-all.test.ts takes from the engine itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePortKey } from '../../src/findings/ports.js';

test('ExposedPorts keys: the protocol after the first /, tcp when none; a plain decimal port', () => {
  const cases: Array<[string, string | undefined]> = [
    ['5432/tcp', '5432/tcp'],
    ['5432', '5432/tcp'],
    ['5432/', '5432/tcp'],
    ['6379/TCP', '6379/tcp'],
    ['8080/tcp/x', '8080/tcp'],
    ['53/udp', '53/udp'],
    ['000022', '22/tcp'],
    ['+3306/tcp', undefined],
    [' 3306/tcp', undefined],
    ['3306 /tcp', undefined],
    ['5000-5002/tcp', undefined],
    ['70000/tcp', undefined],
    ['0/tcp', undefined],
    ['80/http', undefined],
    ['', undefined],
  ];
  for (const [key, want] of cases) assert.equal(parsePortKey(key)?.join('/'), want, JSON.stringify(key));
});
