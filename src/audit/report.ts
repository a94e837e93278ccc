/**
 * Audit output in scan's formats: JSON (schemaVersion 1: findings[] of Finding and the severity
 * summary, with a `registry` block of facts where scan has `image`), a terminal table and
 * Markdown. Registry-provided strings (repository names, certificate names) are escaped.
 */
import { sortFindings } from '../findings/order.js';
import { SEVERITIES } from '../findings/types.js';
import { jsonDocument, noImage, summarize, SCHEMA_VERSION } from '../report/json.js';
import { toTable } from '../report/table.js';
import { escapeText, mdCode, mdProse, mdText } from '../report/text.js';
import { TOOL_NAME, toolVersion } from '../report/tool.js';
import { safeJson } from '../text/safe-json.js';
import type { AuditFacts, AuditResult } from './registry-audit.js';

/** "1 repository", "3 repositories". */
function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function auditJson(r: AuditResult): string {
  const findings = sortFindings(r.findings);
  const doc = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: toolVersion() },
    registry: r.facts,
    findings: jsonDocument(findings, noImage(r.facts.host, 'registry')).findings,
    summary: summarize(findings),
  };
  return safeJson(doc) + '\n';
}

/** The facts as label/value lines (shared by table and Markdown). */
export function factLines(f: AuditFacts): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  rows.push(['Registry', f.host]);
  rows.push(['Transport', f.scheme === 'https' ? 'HTTPS' : 'plain HTTP' + (f.loopback ? ' (loopback)' : '')]);
  if (f.tls) {
    const t = f.tls;
    const state = t.expired
      ? 'EXPIRED'
      : !t.trusted
        ? `NOT trusted (${t.error})`
        : !t.hostnameMatches
          ? 'host name MISMATCH'
          : 'valid';
    rows.push([
      'Certificate',
      `${state}; subject ${t.subject ?? '?'}, issuer ${t.issuer ?? '?'}, until ${t.validTo ?? '?'}${t.daysLeft !== undefined ? ` (${t.daysLeft} days)` : ''}${t.selfSigned ? ', self-signed' : ''}`,
    ]);
  }
  if (f.httpRedirect)
    rows.push([
      'Plain HTTP',
      {
        'redirects-to-https': 'redirects to HTTPS',
        'serves-http': 'serves the API (no redirect)',
        'refused-on-tls-port': 'refused on the TLS port (no redirect)',
        'not-listening': 'not listening',
        unknown: 'unknown',
      }[f.httpRedirect],
    ]);
  rows.push([
    'Auth',
    f.authScheme === 'none'
      ? 'none (GET /v2/ → 200)'
      : f.authScheme === 'bearer'
        ? `Bearer token (realm ${f.tokenRealm ?? '?'})`
        : f.authScheme === 'basic'
          ? 'HTTP Basic'
          : `other (GET /v2/ → ${f.apiStatus})`,
  ]);
  const c = f.catalog;
  rows.push([
    'Catalog',
    c.status === 'readable'
      ? `readable anonymously: ${c.truncated ? `${c.repositories}+ repositories` : count(c.repositories ?? 0, 'repository', 'repositories')} in ${count(c.pages ?? 0, 'page', 'pages')}${c.loop ? ' (its next links loop; each name counted once)' : ''}`
      : c.status === 'auth-required'
        ? 'requires authentication'
        : c.status === 'not-served'
          ? 'not served'
          : `error: ${c.detail ?? ''}`,
  ]);
  const out = (o: { status: string; repository?: string; detail?: string }) =>
    `${o.status}${o.repository ? ` (${o.repository})` : ''}${o.detail && o.status !== 'allowed' ? ` — ${o.detail}` : ''}`;
  rows.push(['Anonymous pull', out(f.anonymousPull)]);
  rows.push([
    'Anonymous push',
    out(f.anonymousPush) +
      (f.anonymousPush.status === 'allowed'
        ? f.anonymousPush.cancelled
          ? ' — upload cancelled'
          : ' — cancel refused'
        : ''),
  ]);
  rows.push([
    'Deletion',
    `${f.deletion.status}${f.deletion.detail ? ` (${f.deletion.detail})` : ''} — probed with a random non-existent digest`,
  ]);
  return rows;
}

export function auditTable(r: AuditResult, opts: { color?: boolean; width?: number } = {}): string {
  const rows = factLines(r.facts);
  const w = Math.max(...rows.map(([k]) => k.length));
  const head = rows.map(([k, v]) => `${k.padEnd(w)}  ${escapeText(v)}`).join('\n');
  const table = toTable(sortFindings(r.findings), noImage(`registry audit: ${r.facts.host}`, 'registry'), opts);
  return `${head}\n\n${table}`;
}

export function auditMarkdown(r: AuditResult): string {
  const findings = sortFindings(r.findings);
  const s = summarize(findings);
  const out: string[] = [`# layerlens registry audit: ${mdText(r.facts.host)}`, '', '| | |', '|---|---|'];
  for (const [k, v] of factLines(r.facts)) out.push(`| ${k} | ${mdText(v)} |`);
  out.push(`| Tool | ${TOOL_NAME} ${toolVersion()} |`, '', '## Summary', '', '| Severity | Findings |', '|---|---:|');
  for (const sev of SEVERITIES) out.push(`| ${sev[0].toUpperCase() + sev.slice(1)} | ${s[sev]} |`);
  out.push('');
  if (!findings.length) out.push('No findings.', '');
  else {
    out.push('## Findings', '');
    for (const f of findings) {
      out.push(`### ${f.severity.toUpperCase()}: ${mdText(f.title)}`, '');
      out.push(`- **Rule:** ${mdCode(f.ruleId)}`);
      out.push(`- **Details:** ${mdProse(f.message)}`);
      out.push(`- **Remediation:** ${mdProse(f.remediation)}`);
      out.push(`- **ID:** ${mdCode(f.id)}`, '');
    }
  }
  return out.join('\n');
}
