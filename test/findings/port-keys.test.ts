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

test('ports of no known service: one finding per range, at most 64 ranges; known ones one each', async () => {
  const { portFindings } = await import('../../src/findings/ports.js');
  const { FileTree } = await import('../../src/engine/tree.js');
  const { metaOfConfig } = await import('../support/oci-layout.js');
  const ports: Record<string, object> = { '5432/tcp': {}, '5432': {}, '7777/tcp': {} };
  // A media server's RTP range (as `EXPOSE 40000-49999/udp` writes it), then 100 lone ports.
  for (let p = 40000; p <= 49999; p++) ports[`${p}/udp`] = {};
  for (let i = 0; i < 100; i++) ports[`${30001 + 2 * i}/tcp`] = {};
  const meta = metaOfConfig(
    { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] }, config: { ExposedPorts: ports } },
    [],
  );
  const fs = portFindings(meta, new FileTree());
  const byKey = new Map(fs.map((f) => [f.key, f]));
  assert.equal(byKey.get('5432/tcp')?.ruleId, 'port-database');
  assert.equal(byKey.get('7777/tcp')?.title, 'EXPOSE 7777/tcp: unknown service');
  assert.equal(
    byKey.get('40000-49999/udp')?.title,
    'EXPOSE 40000-49999/udp: 10,000 ports, unknown services (and 38 more ports)',
  );
  assert.equal(byKey.get('40000-49999/udp')?.properties?.lastPort, 49999);
  const unknown = fs.filter((f) => f.ruleId === 'port-exposed');
  assert.equal(unknown.length, 64);
  // 1 + 1 + 100 ranges of unknown ports: the widest 64 are listed, the last of them (the udp
  // range, in port order) counts the 38 left out.
  const last = unknown.at(-1)!;
  assert.equal(last.properties?.moreRanges, 38);
  assert.equal(last.properties?.morePorts, 38);
  assert.match(last.message, /38 more ports of no known service, in 38 ranges/);
  assert.equal(fs.length, 65);
});
