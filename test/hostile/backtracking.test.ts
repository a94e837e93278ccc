/**
 * Backtracking: the regular expressions and searches that read image content take time linear in
 * it (the standard: every time bounded). Each input below is shaped so that a pattern which can
 * split the same characters in several ways tries them all — the shapes a ReDoS checker reports
 * (runs of blanks between two optional parts, thousands of starts that each scan to the end of a
 * line, a lazy value before trailing blanks). At these sizes the code they were found in took
 * from one second to minutes per input (measured before the fix, noted per case); linear work
 * takes milliseconds. The bound is far from both, so a busy machine does not fail it and a
 * quadratic pattern does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseDiveCi } from '../../src/findings/dive-ci.js';
import { redactCommand, runPatternMatches } from '../../src/findings/config.js';
import { parseJavaArchive } from '../../src/findings/packages/java.js';
import { parsePythonMetadata } from '../../src/findings/packages/python.js';
import { placeholderReason } from '../../src/findings/secrets/placeholder.js';
import { SECRET_RULES } from '../../src/findings/secrets/rules.js';
import { scanString } from '../../src/findings/secrets/scanner.js';
import { pemKeyBody } from '../../src/findings/secrets/structure.js';
import { nextLink } from '../../src/sources/registry/distribution.js';
import { joinHeredocs } from '../../src/ui/commands.js';
import { githubToken } from '../support/fake-secrets.js';
import { CASES } from '../support/secret-cases.js';
import { runCli } from '../support/hostile-cli.js';
import { shapeMembers, writeShape } from '../support/hostile-shapes.js';
import { zipOf } from '../support/package-files.js';
import { file, tar } from '../support/tar-craft.js';

/** A line as long as the secret scanner's window (64 KiB): the most one pattern run sees. */
const LINE = 64 * 1024;
/** Far above linear work on these sizes (a few ms), far below what the replaced patterns took. */
const BOUND_MS = 1500;

const repeat = (unit: string, length = LINE) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

function within<T>(label: string, run: () => T, bound = BOUND_MS): T {
  const start = performance.now();
  const out = run();
  const ms = performance.now() - start;
  assert.ok(ms < bound, `${label}: ${ms.toFixed(0)} ms (bound ${bound} ms)`);
  return out;
}

/** CPU time of the process in ms: a busy machine delays a run's wall time, not this. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * `run` at half the scanner's window against an eighth of it: linear work takes about 4 times as
 * long, quadratic 16 times (the bound, 10, leaves room for the collector: every match of a scan
 * lives until the scan ends, so scavenges copy more of them on a longer line). After two untimed rounds (the rules' patterns compile on first use),
 * each size is timed 7 times, taking turns, and the cheapest of each is compared (three such
 * measurements at most, the first under the bound passing); a size that
 * takes under a few ms is timed as a batch of runs, so that fixed costs and the clock's grain do
 * not decide the ratio. (Both sizes stay inside one window: a line longer than the window is cut,
 * a fixed step in cost that is not growth.) The whole window is held to the bound as well.
 */
function linear(label: string, run: (length: number) => unknown): void {
  const batch = (length: number, times: number) => {
    const start = cpuMs();
    for (let i = 0; i < times; i++) run(length);
    return cpuMs() - start;
  };
  batch(LINE / 2, 1);
  // Up to three measurements, the first under the bound passing: linear work measures ~4 (a run of
  // JWT starts: 3.8–4.2 in six rounds) but once measured 10 in the full suite, where the process's
  // heap is large and every scavenge of the longer line's matches costs more; quadratic work
  // measures ~16 every time.
  let why = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const times = Math.min(64, Math.max(1, Math.ceil(4 / Math.max(0.05, batch(LINE / 8, 1)))));
    let small = Number.POSITIVE_INFINITY;
    let large = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 7; i++) {
      small = Math.min(small, batch(LINE / 8, times));
      large = Math.min(large, batch(LINE / 2, times));
    }
    if (large / small < 10) {
      why = '';
      break;
    }
    why += `${why ? '; then ' : ''}${(large / times).toFixed(2)} ms of CPU for ${LINE / 2} characters, ${(small / times).toFixed(2)} ms for ${LINE / 8}`;
  }
  assert.ok(!why, `${label}: ${why}`);
  within(label, () => run(LINE));
}

test('secret rules: the lines that made a rule backtrack are scanned in linear time', () => {
  const cases: Array<[string, (length: number) => string]> = [
    // (before: 6-7 s each) a key, then blanks that `\s*(?:[:=]|\s)\s*` could split three ways
    ['AWS secret key name, then blanks', (n) => `AWSSECRETKEY"${repeat('\t', n)}T`],
    ['AWS session token name, then blanks', (n) => `SESSIONTOKEN ${repeat(' ', n)}!`],
    ['aws_session_token, then tabs', (n) => `aws_session_token${repeat('\t', n)}x`],
    // (before: 0.9 s) every `eyJ` of a run a start scanning to the run's end
    ['a run of JWT starts', (n) => `${repeat('eyJeJ-', n)}\u0000`],
    // (before: 1.9 s) every `sk-` of a run a start, with the rule's keyword on the line
    ['a run of OpenAI key starts', (n) => `${repeat('sk--', n)} T3BlbkFJ`],
    // (before: 0.7 s) every "curl" of a line scanning to its end for `-u`, in the prefilter and the rule
    ['a line of curl', (n) => `${repeat('curl-', n)} curl -u`],
    ['a line of curl, no separator', (n) => `${repeat('curl', n)} curl -u`],
    // (before: 1 s, then 0.13 s and still quadratic: 11 ms for a quarter) thousands of matches on
    // one line, each walking back to the line's start, first for its evidence, then for its column
    ['a line of thousands of header matches', (n) => `${repeat('API-KEY:"', n)} api-key:`],
  ];
  for (const [label, make] of cases) {
    const lines = new Map([LINE / 8, LINE / 2, LINE].map((n) => [n, make(n)]));
    linear(label, (n) => scanString(lines.get(n)!));
  }
});

/**
 * A line `make(n)` scanned at an eighth and at half the window: a cheap first look (up to three
 * runs of each, stopping at the first that looks linear; a single run is often slowed by a
 * collection or a pattern compiled on first use), and a case that still grows faster than linear
 * is measured again as `linear` does. Every run is held to a bound of its own too.
 */
function grows(label: string, make: (length: number) => string): void {
  const small = make(LINE / 8);
  const large = make(LINE / 2);
  let best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let i = 0; i < 3; i++) {
    const a = cpuMs();
    within(label, () => scanString(small), 500);
    const b = cpuMs();
    within(label, () => scanString(large), 500);
    const c = cpuMs();
    best = [Math.min(best[0], b - a), Math.min(best[1], c - b)];
    if (best[1] < 2 || best[1] / Math.max(0.05, best[0]) < 8) return;
  }
  linear(label, (n) => scanString(n === LINE / 8 ? small : n === LINE / 2 ? large : make(n)));
}

test('secret rules, every one: runs of its keywords and prefixes with separators stay linear', () => {
  // The class, not the cases above: each rule's keywords and the literal its secret starts with,
  // repeated with the separators its patterns skip or stop at, then every keyword once more.
  const fills = ['', ' ', '\t', '-', '=', ':', '"', 'a', '.'];
  for (const rule of SECRET_RULES) {
    const literals = new Set(rule.keywords);
    const prefix = /\(\?<secret>((?:[A-Za-z0-9_]|\\[-./:])+)/.exec(rule.pattern.source);
    if (prefix) literals.add(prefix[1].replace(/\\/g, ''));
    const tail = ` ${rule.keywords.join(' ')} ${rule.keywords.join(' ').toUpperCase()}`;
    for (const literal of literals)
      for (const fill of fills)
        for (const unit of [literal + fill, literal.toUpperCase() + fill])
          grows(`${rule.id}: ${JSON.stringify(unit)} repeated`, (n) => repeat(unit, n) + tail);
  }
});

test('secret rules, every one: its true and false positive repeated along one line stay linear', () => {
  // The class of a check that walks the whole line for every match (the line's end, the text
  // around a value): harmless on one match, quadratic on a line of thousands.
  const failed: string[] = [];
  for (const c of CASES)
    for (const [kind, make] of [
      ['true', c.tp],
      ['false', c.fp],
    ] as const) {
      const value = make();
      if (typeof value !== 'string') continue;
      const unit = `${value.replace(/\n/g, ' ')} `;
      try {
        grows(`${c.id}: its ${kind} positive repeated`, (n) => repeat(unit, n));
      } catch (err) {
        failed.push((err as Error).message);
      }
    }
  assert.deepEqual(failed, []);
});

test('history commands: masking, the config checks and the explorer’s one-line form are linear', () => {
  // (before: 6.6 s) ENV pairs tried from every character of a long run of key characters
  within('ENV pairs', () => redactCommand(`ENV ${repeat('-')}""-=`));
  // (before: 0.3 s; minutes on a 16 MiB config) every "mysql" scanning to the line's end
  within('mysql starts', () => runPatternMatches(`${repeat('-p"mysql-')}-p\u0000`, false));
  within('clone with blanks', () => runPatternMatches(`hg\tclone ${repeat('\t')}\tclone http://p@`, false));
  within('docker login starts', () => runPatternMatches(repeat('docker login x '), false));
  // (before: 2.2 s) a long run of blanks without a newline, tried from each of its characters
  within('blanks in a step', () => joinHeredocs(`${repeat('\t')}\u0000\n`));
  // (before: 0.3 s) thousands of heredocs whose tag never comes back
  within('unclosed heredocs', () => joinHeredocs(`RUN ${repeat('<<EOF\n a')}`));
  // The joined form is unchanged by the rewrite: a heredoc, an unclosed one, blank runs.
  assert.equal(
    joinHeredocs('RUN <<EOF\napt-get update\n  apt-get install -y x\nEOF'),
    'RUN <<EOF apt-get update; apt-get install -y x EOF',
  );
  assert.equal(joinHeredocs('RUN <<A <<B\nx\nA\ny\nB'), 'RUN <<A <<B x; A; y B');
  assert.equal(joinHeredocs('RUN x <<EOF\na\nEOFX\nb\nEOF tail'), 'RUN x <<EOF a; EOFX; b EOF tail');
  assert.equal(joinHeredocs('RUN <<EOF\nEOF'), 'RUN <<EOF ⏎ EOF');
  assert.equal(joinHeredocs('RUN a\n  b   \n\n c'), 'RUN a ⏎ b ⏎ c');
});

test('values and package files: placeholders, key bodies, metadata and manifests are linear', () => {
  // (before: 1.2 s / 2.3 s / 4.1 s) every opening of a long value without its closing
  within('template openings', () => placeholderReason(repeat('x${\u0000')));
  within('mustache openings', () => placeholderReason(repeat('x{{')));
  within('angle brackets in a key body', () => pemKeyBody(`${repeat('.<')}.…`));
  // A jar whose manifest line is blanks around a separator (the old pattern split them four ways).
  const blanks = repeat(' ', 4096);
  const jar = zipOf({
    'META-INF/MANIFEST.MF': `Implementation-Version:${blanks}1.0${blanks}!\n${blanks}:${blanks}x\n`,
  });
  within('manifest blanks', () => parseJavaArchive(jar, 'app-1.0.jar'));
  const meta = within('METADATA blanks', () =>
    parsePythonMetadata(`Name:${repeat('\t', 30000)}pkg${repeat('\t', 30000)}\nVersion: 1.0\n`),
  );
  assert.deepEqual(
    meta.map((p) => [p.name, p.version]),
    [['pkg', '1.0']],
  );
  // A registry's Link header of openings without a close, and blanks around `rel`.
  const base = new URL('https://r.example.org/v2/_catalog');
  within('Link openings', () => nextLink(repeat('<', 16 * 1024), base));
  within('Link blanks', () => nextLink(`<a>;rel=${repeat('\t', 16 * 1024)}`, base));
  assert.equal(nextLink('</p2>; rel="prev next"', base)?.href, 'https://r.example.org/p2');
  // A .dive-ci line of blanks (a settings file may be 1 MiB): refused at once, as it is no key.
  assert.throws(
    () => within('.dive-ci blanks', () => parseDiveCi(`rules:\n  A:${repeat('\t', 30000)}\u0000`, '.dive-ci')),
    /not a "key: value" line|\.dive-ci:2/,
  );
});

const tmp = mkdtempSync(path.join(tmpdir(), 'layerlens-backtracking-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('an image built to backtrack: scan finishes and still finds the real secret', { timeout: 180_000 }, async () => {
  // Credential files, a text file of many windows, a jar and a history step, each in the shape
  // that took the old patterns seconds per line (the whole image: well over ten minutes).
  const token = githubToken();
  const envLine = `A=${repeat(' ', 30000)}x${repeat(' ', 30000)}!\n`;
  const windows = `${repeat('SESSIONTOKEN ', 1)}${repeat(' ', 60000)}!\n`.repeat(24);
  const layer = tar([
    file('app/.env', envLine.repeat(8)),
    file('app/.npmrc', envLine.repeat(4)),
    file('app/notes.txt', `${windows}${repeat('curl-', 60000)} curl -u\nGITHUB_TOKEN=${token}\n`),
    file(
      'app/lib/app-1.0.jar',
      zipOf({ 'META-INF/MANIFEST.MF': `Bundle-Version:${repeat(' ', 8000)}1${repeat(' ', 8000)}!\n` }),
    ),
  ]);
  const createdBy = `/bin/sh -c #(nop) ENV ${repeat('-', 200_000)}""-=`;
  const image = await writeShape(
    'oci-dir',
    shapeMembers('oci-dir', [layer], (role, doc) => {
      if (role !== 'config') return undefined;
      const config = doc as { history?: unknown[] };
      return { ...config, history: [{ created_by: createdBy }] };
    }),
    path.join(tmp, 'image'),
  );
  const start = performance.now();
  const r = await runCli(['scan', '--format', 'json', image], { killAfterMs: 170_000 });
  const seconds = (performance.now() - start) / 1000;
  assert.ok(r.status === 0 || r.status === 1, `scan ended with ${r.status}: ${r.stderr.split('\n')[0]}`);
  assert.ok(seconds < 60, `scan took ${seconds.toFixed(1)} s`);
  const report = JSON.parse(r.stdout.toString()) as { findings: Array<{ ruleId: string; path?: string }> };
  assert.ok(
    report.findings.some((f) => f.ruleId === 'secret-github-pat' && f.path === '/app/notes.txt'),
    'the token after the hostile lines is still found',
  );
  assert.ok(!r.stdout.toString().includes(token), 'and not printed in full');
});
