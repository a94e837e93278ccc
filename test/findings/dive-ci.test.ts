/** dive's CI gate: its file, its values, its defaults and precedence, its verdicts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkRuleValue,
  DIVE_DEFAULTS,
  evaluateGate,
  gateConfig,
  isDisabled,
  parseByteSize,
  parseDiveCi,
  parseRatio,
} from '../../src/findings/dive-ci.js';
import type { DiveEfficiency } from '../../src/findings/efficiency.js';
import { diveCiReport } from '../../src/report/dive-ci.js';

const figures: DiveEfficiency = {
  score: 0.8734,
  wastedBytes: 24_500_000,
  userSizeBytes: 98_000_000,
  userWastedPercent: 0.25,
  files: [
    { path: '/var/cache/apt/archives/big.deb', count: 2, bytes: 20_000_000 },
    { path: '/etc/\x1b]0;x\x07', count: 3, bytes: 4_500_000 },
  ],
  fileCount: 2,
};

test('values as dive takes them: ratios, byte sizes (decimal and binary), disabled', () => {
  assert.equal(parseByteSize('20MB'), 20_000_000);
  assert.equal(parseByteSize('20 mb'), 20_000_000);
  assert.equal(parseByteSize('1.5GiB'), Math.floor(1.5 * 2 ** 30));
  assert.equal(parseByteSize('512KiB'), 512 * 1024);
  assert.equal(parseByteSize('1000'), 1000);
  assert.equal(parseByteSize('20XB'), undefined);
  assert.equal(parseRatio('0.95'), 0.95);
  assert.equal(parseRatio('1.5'), undefined);
  assert.equal(parseRatio('-0.1'), undefined);
  for (const v of ['', 'disabled', 'OFF', 'false', '  Disabled ']) assert.ok(isDisabled(v), JSON.stringify(v));
  assert.throws(
    () => checkRuleValue('lowestEfficiency', '95%', '.dive-ci:2'),
    /\.dive-ci:2: lowestEfficiency "95%" is not a ratio/,
  );
  assert.throws(() => checkRuleValue('highestWastedBytes', 'lots', '--highestWastedBytes'), /not a byte size/);
});

test('.dive-ci: the rules map, comments and quotes; unknown rules and bad values refused with file:line', () => {
  const text = `# CI rules\nrules:\n  # fail below\n  lowestEfficiency: 0.95   # strict\n  highestWastedBytes: "20MB"\n  highestUserWastedPercent: disabled\nplugins: {}\n`;
  assert.deepEqual(parseDiveCi(text, '.dive-ci'), {
    lowestEfficiency: '0.95',
    highestWastedBytes: '20MB',
    highestUserWastedPercent: 'disabled',
  });
  assert.deepEqual(parseDiveCi('rules:\n', 'f'), {});
  assert.throws(
    () => parseDiveCi('rules:\n  lowestEffciency: 0.9\n', 'x.yml'),
    /x\.yml:2: unknown rule "lowestEffciency"/,
  );
  assert.throws(
    () => parseDiveCi('rules:\n  lowestEfficiency: 2\n', 'x.yml'),
    /x\.yml:2: lowestEfficiency "2" is not a ratio/,
  );
  assert.throws(() => parseDiveCi('rules\n', 'x.yml'), /x\.yml:1: not a "key: value" line/);
});

test('precedence as dive has it: a flag over the file over the defaults (0.9, disabled, 0.1)', () => {
  const cfg = gateConfig({ lowestEfficiency: '0.5' }, { lowestEfficiency: '0.99', highestWastedBytes: '1MB' });
  assert.deepEqual(cfg.lowestEfficiency, { value: '0.5', from: 'flag' });
  assert.deepEqual(cfg.highestWastedBytes, { value: '1MB', from: 'file' });
  assert.deepEqual(cfg.highestUserWastedPercent, { value: DIVE_DEFAULTS.highestUserWastedPercent, from: 'default' });
  assert.throws(() => gateConfig({ highestUserWastedPercent: '10%' }), /--highestUserWastedPercent/);
});

test('verdicts and dive’s words; PASS when every enabled rule holds', () => {
  const fail = evaluateGate(gateConfig({}, { highestWastedBytes: '20MB' }), figures);
  assert.equal(fail.pass, false);
  assert.deepEqual(
    fail.results.map((r) => `${r.status} ${r.rule}`),
    ['FAIL highestUserWastedPercent', 'FAIL highestWastedBytes', 'FAIL lowestEfficiency'],
  );
  assert.equal(fail.results[2].message, 'image efficiency is too low (efficiency=0.87 < threshold=0.9)');
  assert.equal(fail.results[1].message, 'too many bytes wasted (wasted-bytes=24500000 > threshold=20000000)');
  const pass = evaluateGate(gateConfig({ lowestEfficiency: '0.8', highestUserWastedPercent: '0.3' }), figures);
  assert.equal(pass.pass, true);
  assert.deepEqual(
    pass.results.map((r) => `${r.status} ${r.rule} (${r.message})`),
    ['PASS highestUserWastedPercent (0.3)', 'SKIP highestWastedBytes (disabled)', 'PASS lowestEfficiency (0.8)'],
  );
});

test('the report in dive’s layout, names escaped', () => {
  const gate = evaluateGate(gateConfig({}), figures);
  const out = diveCiReport(figures, gate);
  assert.equal(
    out,
    [
      'Analysis:',
      '  efficiency:        87.34 %',
      '  wastedBytes:       24500000 bytes (24.5 MB)',
      '  userWastedPercent: 25.00 %',
      '',
      'Inefficient Files:',
      '  Count  Wasted Space  File Path',
      '  2      20.0 MB       /var/cache/apt/archives/big.deb',
      '  3      4.5 MB        /etc/\\e]0;x\\x07',
      '',
      'Evaluation:',
      '  FAIL  highestUserWastedPercent (too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=0.25 > threshold=0.1))',
      '  SKIP  highestWastedBytes (disabled)',
      '  FAIL  lowestEfficiency (image efficiency is too low (efficiency=0.87 < threshold=0.9))',
      '',
      'FAIL [fail:2 skip:1]',
      '',
    ].join('\n'),
  );
});
