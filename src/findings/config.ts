/**
 * The `config` check: what the image config and its history give away. ENV and LABEL values
 * holding secrets (by key name or by value), build-arg values baked into history
 * (`|N KEY=value /bin/sh -c …`), secrets typed into RUN commands, and the user the image runs as.
 */
import { dockerfileLine } from '../engine/history.js';
import type { ImageMeta } from '../engine/types.js';
import { countBelow } from '../text/sorted.js';
import { isSecretKeyName } from './key-names.js';
import { type PasswdEntry, runUser } from './run-user.js';
import { layerDigestOf, makeFinding } from './make.js';
import { shannonEntropy } from './secrets/entropy.js';
import { evidence, maskSpans, mergeSpans, type Span } from './secrets/mask.js';
import { placeholderReason } from './secrets/placeholder.js';
import { scanString, secretSpans, type SecretMatch } from './secrets/scanner.js';
import type { Finding, Severity } from './types.js';
import { SEVERITIES } from './types.js';

interface ArgValue {
  key: string;
  value: string;
}

/** Build args recorded in a history command: `|2 A=1 B=x /bin/sh -c …` (classic and BuildKit forms). */
export function parseBuildArgs(createdBy: string): { args: ArgValue[]; command: string } {
  const m = createdBy.match(/^(?:RUN )?\|(\d+) (.*)$/s);
  if (!m) return { args: [], command: createdBy };
  const n = Number(m[1]);
  let rest = m[2];
  const args: ArgValue[] = [];
  for (let i = 0; i < n; i++) {
    const a = rest.match(
      /^([A-Za-z_][A-Za-z0-9_]*)=(.*?)(?= [A-Za-z_][A-Za-z0-9_]*=| \/bin\/sh | \/bin\/bash | \/bin\/ash | \/busybox\/sh | cmd \/S \/C |$)/s,
    );
    if (!a) break;
    args.push({ key: a[1], value: a[2] });
    rest = rest.slice(a[0].length).replace(/^ /, '');
  }
  return { args, command: rest };
}

function maxSeverity(ms: SecretMatch[]): Severity | undefined {
  let best: Severity | undefined;
  for (const m of ms) if (!best || SEVERITIES.indexOf(m.severity) < SEVERITIES.indexOf(best)) best = m.severity;
  return best;
}

/**
 * Judge one KEY=value: value rules first (a token format is certain), then the key name. Returns
 * undefined for values that are not secrets (empty, `${VAR}`, references to files).
 */
export function judgeKeyValue(
  key: string,
  value: string,
  reveal = false,
): { severity: Severity; why: string; evidence: string; secretRule?: string } | undefined {
  if (!value) return undefined;
  const byValue = scanString(value, { reveal }).filter((m) => m.ruleId !== 'secret-generic-assignment');
  if (byValue.length) {
    const sev = maxSeverity(byValue)!;
    const top = byValue.find((m) => m.severity === sev)!;
    return {
      severity: sev,
      why: `the value is a ${top.title}${top.reason ? ` (${top.reason})` : ''}`,
      evidence: `${key}=${top.evidence}`,
      secretRule: top.ruleId,
    };
  }
  if (!isSecretKeyName(key)) return undefined;
  const ph = placeholderReason(value);
  if (ph === 'template variable or placeholder' || ph === 'empty value' || ph === 'documentation placeholder')
    return undefined;
  if (/^\/(?:run|var\/run|etc|secrets?)\//.test(value)) return undefined; // a path to a mounted secret
  const strong = value.length >= 8 && shannonEntropy(value) >= 3.0;
  return {
    severity: strong ? 'high' : 'medium',
    why: strong
      ? `the name ${key} says it holds a credential and the value looks random`
      : `the name ${key} says it holds a credential; the value looks like a default or weak password (${ph ?? 'short or low entropy'})`,
    evidence: evidence(`${key}=`, value, reveal),
  };
}

// (A command's words end where the next command of the same kind starts, and `clone\s+` takes
// every blank after it: with every "mysql" of a line scanning to its end, or blanks that either
// part could take, a long history step took seconds.)
const RUN_PATTERNS: Array<{ re: RegExp; what: string }> = [
  { re: /_auth(?:Token)?\s*=\s*["']?(?<secret>[^\s"'\\]{8,})/g, what: 'npm registry token written to .npmrc' },
  {
    re: /\bdocker\s+login\b(?:(?!\bdocker\s+login\b)[^\n])*?\s(?:-p|--password)(?:\s+|=)["']?(?<secret>[^\s"']+)/g,
    what: 'password on a docker login command line',
  },
  { re: /\bsshpass\s+-p\s*["']?(?<secret>[^\s"']+)/g, what: 'password given to sshpass' },
  {
    re: /\bmysql(?:admin|dump)?\b(?:(?!\bmysql(?:admin|dump)?\b)[^\n])*?\s-p["']?(?<secret>[^\s"'-][^\s"']*)/g,
    what: 'password on a mysql command line',
  },
  {
    re: /\b(?:PGPASSWORD|MYSQL_PWD|REDISCLI_AUTH)=["']?(?<secret>[^\s"';&]+)/g,
    what: 'password in a client environment variable',
  },
  { re: /\s--password(?:\s+|=)["']?(?<secret>[^\s"'-][^\s"']*)/g, what: 'password passed with --password' },
  {
    re: /\b(?:git|hg)\s+clone\s+(?:\S(?:(?!\b(?:git|hg)\s+clone\s)[^\n])*?)?https?:\/\/(?<user>[^\s:@/]+)@/g,
    what: 'token used as user name in a clone URL',
  },
];

export function runPatternMatches(
  command: string,
  reveal: boolean,
  spans?: Array<[number, number]>,
): Array<{ what: string; evidence: string }> {
  const found: Array<{ what: string; value: string; from: number; at: number }> = [];
  for (const { re, what } of RUN_PATTERNS) {
    re.lastIndex = 0;
    for (let m; (m = re.exec(command)); ) {
      const value = m.groups?.secret ?? m.groups?.user ?? '';
      if (!value || /^\$|\$\{|\$\(|`/.test(value) || placeholderReason(value)) continue;
      if (m.groups?.user && (value.length < 20 || shannonEntropy(value) < 3.5)) continue; // a plain user name
      const at = m.index + m[0].lastIndexOf(value);
      spans?.push([at, at + value.length]);
      found.push({ what, value, from: Math.max(m.index, at - 30), at });
    }
  }
  if (found.length === 0) return [];
  // The text shown before a value may hold another secret of the command (a mysql password before
  // a docker login's): masked whole in the evidence unless revealed.
  const others = reveal
    ? []
    : mergeSpans([...found.map((f): Span => [f.at, f.at + f.value.length]), ...secretSpans(command)]);
  return found.map(({ what, value, from, at }) => ({
    what,
    evidence: evidence(maskSpans(command.slice(from, at), spansWithin(others, from, at)).text, value, reveal),
  }));
}

/** The parts of the sorted, disjoint `spans` inside [from, to), as offsets from `from`. */
function spansWithin(spans: readonly Span[], from: number, to: number): Span[] {
  const out: Span[] = [];
  for (let i = countBelow(spans, from + 1, (s) => s[1]); i < spans.length && spans[i][0] < to; i++)
    out.push([Math.max(spans[i][0], from) - from, Math.min(spans[i][1], to) - from]);
  return out;
}

/**
 * A history command safe to show: build-arg values that look secret and every secret the rules
 * find are masked (first 4 characters and the length) unless `reveal`.
 */
export function redactCommand(createdBy: string, reveal = false): string {
  if (reveal || !createdBy) return createdBy;
  const spans: Array<[number, number]> = [];
  const argsPart = createdBy.match(/^((?:RUN )?\|\d+ )/);
  if (argsPart) {
    const { args } = parseBuildArgs(createdBy.replace(/^RUN /, ''));
    let pos = argsPart[1].length;
    for (const a of args) {
      const start = createdBy.indexOf(a.key + '=', pos);
      if (start < 0) break;
      const vs = start + a.key.length + 1;
      if (judgeKeyValue(a.key, a.value)) spans.push([vs, vs + a.value.length]);
      pos = vs + a.value.length;
    }
  }
  // ENV and LABEL steps: KEY=VALUE pairs judged like the config's own ENV and LABEL entries.
  const meta = createdBy.match(/^(?:\/bin\/sh -c #\(nop\)\s*)?(?:ENV|LABEL)\s/);
  if (meta) {
    // (A key starts where a run of key characters starts: tried at every character of a long run
    // of them, it was quadratic.)
    const pair = /(?<![\w.-])([\w.-]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
    pair.lastIndex = meta[0].length;
    for (let m; (m = pair.exec(createdBy)); ) {
      const quoted = /^["']/.test(m[2]);
      const value = quoted ? m[2].slice(1, -1) : m[2];
      if (!judgeKeyValue(m[1], value)) continue;
      const vs = m.index + m[1].length + 1 + (quoted ? 1 : 0);
      spans.push([vs, vs + value.length]);
    }
  }
  for (const s of secretSpans(createdBy)) spans.push(s); // (a step may hold more than a call's arguments)
  runPatternMatches(createdBy, false, spans);
  return maskSpans(createdBy, spans).text;
}

/** Instructions a later one of their kind replaces in the config (the history keeps them all). */
const OVERRIDDEN = /^(CMD|ENTRYPOINT|HEALTHCHECK)\b/;

export function configFindings(
  meta: ImageMeta,
  opts: { reveal?: boolean; passwd?: readonly PasswdEntry[] } = {},
): Finding[] {
  const out: Finding[] = [];
  const reveal = !!opts.reveal;
  const cfg = meta.config.config ?? {};

  for (const kv of cfg.Env ?? []) {
    const i = kv.indexOf('=');
    const key = i < 0 ? kv : kv.slice(0, i);
    const value = i < 0 ? '' : kv.slice(i + 1);
    const j = judgeKeyValue(key, value, reveal);
    if (!j) continue;
    out.push(
      makeFinding({
        ruleId: 'config-env-secret',
        category: 'config',
        severity: j.severity,
        title: `Secret in ENV ${key}`,
        message: `ENV ${key} is stored in the image config, visible to anyone who can pull the image (docker inspect) and to every process in the container: ${j.why}.`,
        remediation:
          'Remove the ENV instruction, rotate the value, and provide it at run time (docker run -e / --env-file, orchestrator secrets).',
        key,
        evidence: j.evidence,
        properties: j.secretRule ? { secretRule: j.secretRule } : undefined,
      }),
    );
  }

  for (const [key, value] of Object.entries(cfg.Labels ?? {})) {
    const j = judgeKeyValue(key, String(value), reveal);
    if (!j) continue;
    out.push(
      makeFinding({
        ruleId: 'config-label-secret',
        category: 'config',
        severity: j.severity,
        title: `Secret in LABEL ${key}`,
        message: `LABEL ${key} is stored in the image config, readable by anyone who can pull the image: ${j.why}.`,
        remediation: 'Remove the label, rotate the value, and rebuild.',
        key,
        evidence: j.evidence,
        properties: j.secretRule ? { secretRule: j.secretRule } : undefined,
      }),
    );
  }

  // The last CMD, ENTRYPOINT and HEALTHCHECK of the history are the config's own (judged with
  // the rest of the config: config-values.ts); the ones before were overridden, and live on only
  // here, so they are scanned as commands too.
  const lastOf = new Map<string, number>();
  meta.history.forEach((h, hi) => {
    const instr = OVERRIDDEN.exec(dockerfileLine(h.createdBy))?.[1];
    if (instr) lastOf.set(instr, hi);
  });

  meta.history.forEach((h, hi) => {
    if (!h.createdBy) return;
    const layerIndex = h.layerIndex;
    const layerDigest = layerDigestOf(meta, layerIndex);
    const line = dockerfileLine(h.createdBy);
    const stripped = h.createdBy.replace(/ # buildkit$/, '');
    const { args, command } = parseBuildArgs(stripped.replace(/^RUN /, ''));
    for (const a of args) {
      const j = judgeKeyValue(a.key, a.value, reveal);
      if (!j) continue;
      out.push(
        makeFinding({
          ruleId: 'config-build-arg-secret',
          category: 'config',
          severity: j.severity,
          title: `Build argument ${a.key} recorded in history`,
          message: `ARG ${a.key} was used by a RUN step (history entry ${hi}); its value is written into the image history for anyone who pulls the image (docker history --no-trunc): ${j.why}.`,
          remediation:
            'Rotate the value; pass secrets with `RUN --mount=type=secret` (BuildKit) instead of ARG, which always lands in history.',
          key: a.key,
          layerIndex,
          layerDigest,
          evidence: j.evidence,
          discriminator: `history:${hi}`,
          properties: { historyIndex: hi, ...(j.secretRule ? { secretRule: j.secretRule } : {}) },
        }),
      );
    }
    // RUN steps only: metadata steps (ENV, LABEL) are judged above from the config itself.
    const isRun =
      line.startsWith('RUN ') ||
      (!/^\/bin\/sh -c #\(nop\)/.test(h.createdBy) &&
        !/^(?:ENV|LABEL|ARG|EXPOSE|USER|WORKDIR|CMD|ENTRYPOINT|COPY|ADD|VOLUME|HEALTHCHECK|STOPSIGNAL|SHELL|ONBUILD|MAINTAINER)\b/.test(
          line,
        ));
    const overridden = OVERRIDDEN.exec(line)?.[1];
    if (!isRun && (!overridden || lastOf.get(overridden) === hi)) return;
    const what = isRun ? 'a RUN command' : `an overridden ${overridden} instruction`;
    const hits: Array<{ what: string; evidence: string; severity: Severity; rule?: string }> = [];
    // (Each finder's evidence masks what the other found: the patterns' values, the rules' secrets.)
    const patternSpans: Span[] = [];
    const patterns = runPatternMatches(command, reveal, patternSpans);
    for (const m of scanString(command, { reveal, otherSecrets: patternSpans }))
      hits.push({ what: m.title, evidence: m.evidence, severity: m.severity, rule: m.ruleId });
    for (const m of patterns) {
      if (!hits.some((x) => x.evidence === m.evidence)) hits.push({ ...m, severity: 'high' });
    }
    hits.forEach((x, k) => {
      out.push(
        makeFinding({
          ruleId: 'config-run-secret',
          category: 'config',
          severity: x.severity,
          title: `Secret in ${what}: ${x.what}`,
          message: `The ${isRun ? 'RUN command' : `${overridden} instruction`} of history entry ${hi}${layerIndex !== null ? ` (layer ${layerIndex})` : ''} contains a credential (${x.what}); commands are stored verbatim in the image history${isRun ? '' : ', even once a later instruction replaced them'}.`,
          remediation:
            'Rotate the credential; use `RUN --mount=type=secret` so it never appears in the command, or fetch it at run time.',
          layerIndex,
          layerDigest,
          evidence: x.evidence,
          discriminator: `history:${hi}:${k}`,
          properties: { historyIndex: hi, ...(x.rule ? { secretRule: x.rule } : {}) },
        }),
      );
    });
  });

  // (Not trimmed: runc does not trim it either, and " app" is no user.)
  const user = cfg.User ?? '';
  const runs = runUser(user, opts.passwd);
  if (runs?.uid === 0) {
    // A name that is not root but is uid 0 in the image's passwd hides root from a reader of USER.
    const hidden = runs.via === 'passwd' && user.split(':')[0] !== 'root';
    const why = !user
      ? 'No USER instruction'
      : hidden
        ? `USER is ${user}, and the image's /etc/passwd gives that name uid 0`
        : runs.via === 'number'
          ? `USER is ${user}, uid 0`
          : `USER is ${user}`;
    out.push(
      makeFinding({
        ruleId: 'config-user-root',
        category: 'config',
        severity: hidden ? 'medium' : 'low',
        title: user ? `Runs as root (USER ${user})` : 'Runs as root (no USER)',
        message: `${why}: the container's processes run as root unless the runtime overrides it, so a compromise gives root inside the container (and more with a weak runtime configuration).`,
        remediation: hidden
          ? 'Give the user a uid of its own in /etc/passwd (not 0), or set USER to a non-root uid (e.g. `USER 10001`).'
          : 'Add a non-root USER (e.g. `USER 10001`) after installing packages, or run with --user.',
        key: 'User',
        evidence: user || null,
        ...(hidden ? { properties: { uid: 0, via: 'passwd' } } : {}),
      }),
    );
  }
  return out;
}
