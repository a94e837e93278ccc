/**
 * The diff as Markdown, for a pull-request comment: the two images and a summary table first,
 * the findings NEW introduces and resolves, then layers, packages, config, history and files in
 * collapsed sections (GitHub's <details>), so a long diff stays one screen until opened.
 */
import { formatBytes } from '../../text/bytes.js';
import type { FileChange, ImageComparison, KeyChange, VulnerabilityChange } from '../../findings/compare/types.js';
import type { Finding } from '../../findings/types.js';
import { hiddenNote, mdCode, mdText, shortDigest, type HiddenFindings } from '../text.js';
import { TOOL_NAME, toolVersion } from '../tool.js';
import { directoriesToList } from './table.js';
import { byDirectory, configValueChanges, RELATION_TEXT, shownFindings, signedBytes, summaryRows } from './summary.js';

export interface DiffMarkdownOptions {
  shown?: (f: Finding) => boolean;
  hidden?: HiddenFindings;
}

const MAX_PER_DIR = 25;

function details(out: string[], title: string, body: string[]): void {
  if (!body.length) return;
  out.push('<details>', `<summary>${mdText(title)}</summary>`, '', ...body, '', '</details>', '');
}

function findingTable(fs: Finding[]): string[] {
  const rows = ['| Severity | Rule | Where | Finding |', '|---|---|---|---|'];
  for (const f of fs) {
    const where = f.path ? mdCode(f.path + (f.line !== null ? `:${f.line}` : '')) : f.key ? mdCode(f.key) : '-';
    rows.push(
      `| ${f.severity} | ${mdCode(f.ruleId)} | ${where} | ${mdText(f.title)}${f.evidence ? ` ${mdCode(f.evidence)}` : ''} |`,
    );
  }
  return rows;
}

function change(e: FileChange): string {
  if (e.change !== 'modified') {
    const s = (e.new ?? e.old)!;
    return `${s.type} ${s.mode} ${s.uid}:${s.gid}${s.type === 'file' ? ` ${formatBytes(s.size)}` : ''}`;
  }
  return e.aspects.join(', ');
}

function kv(k: KeyChange): string {
  const v = (x: string | null) => (x === null ? '—' : mdCode(x));
  return `| ${mdCode(k.key)} | ${k.change} | ${v(k.old)} | ${v(k.new)} |`;
}

export function toDiffMarkdown(c: ImageComparison, opts: DiffMarkdownOptions = {}): string {
  const shown = opts.shown ?? (() => true);
  const listed = shownFindings(c, shown);
  const { new: introduced, resolved } = listed;
  const out: string[] = [];
  out.push(`# layerlens diff: ${mdText(c.old.reference || 'old')} → ${mdText(c.new.reference || 'new')}`, '');
  out.push('| | old | new |', '|---|---|---|');
  out.push(`| Reference | ${mdCode(c.old.reference || '-')} | ${mdCode(c.new.reference || '-')} |`);
  out.push(`| Source | ${mdText(c.old.source)} | ${mdText(c.new.source)} |`);
  if (c.old.digest || c.new.digest)
    out.push(`| Digest | ${mdCode(shortDigest(c.old.digest) || '-')} | ${mdCode(shortDigest(c.new.digest) || '-')} |`);
  out.push(`| Platform | ${mdText(c.old.platform ?? '-')} | ${mdText(c.new.platform ?? '-')} |`);
  out.push(`| Layers | ${c.old.layerCount} | ${c.new.layerCount} |`);
  out.push(`| Tool | ${TOOL_NAME} ${toolVersion()} | |`, '');
  if (c.identical) {
    out.push('**No differences**: the same layers, files, config, packages and findings.', '');
    return out.join('\n');
  }
  out.push('## Summary', '', '| | |', '|---|---|');
  for (const [k, v] of summaryRows(c, listed)) out.push(`| ${k} | ${mdText(v)} |`);
  out.push('');
  if (opts.hidden?.count) out.push(hiddenNote(opts.hidden), '');
  const vulnTable = (title: string, vs: VulnerabilityChange[]) => {
    if (!vs.length) return;
    out.push(
      `## ${title} (${vs.length})`,
      '',
      '| Severity | Vulnerability | Package | Version | Fixed in |',
      '|---|---|---|---|---|',
    );
    for (const v of vs)
      out.push(
        `| ${v.severity} | ${mdCode(v.id)} | ${mdCode(v.package)} (${mdText(v.ecosystem)}) | ${mdCode(v.version)} | ${v.fixedVersion ? mdCode(v.fixedVersion) : 'no fix published'} |`,
      );
    out.push('');
  };
  vulnTable('Vulnerabilities fixed by new', listed.fixed);
  vulnTable('Vulnerabilities introduced by new', listed.introduced);
  if (introduced.length)
    out.push(`## Findings introduced by new (${introduced.length})`, '', ...findingTable(introduced), '');
  if (resolved.length) out.push(`## Findings resolved in new (${resolved.length})`, '', ...findingTable(resolved), '');
  const regraded = c.findings.unchanged.filter((m) => m.old.severity !== m.new.severity && shown(m.new));
  if (regraded.length)
    out.push(
      `## Findings kept with another severity (${regraded.length})`,
      '',
      '| Severity | Rule | Where | Finding |',
      '|---|---|---|---|',
      ...regraded.map(
        (m) =>
          `| ${m.old.severity} → ${m.new.severity} | ${mdCode(m.new.ruleId)} | ${m.new.path ? mdCode(m.new.path) : m.new.key ? mdCode(m.new.key) : '-'} | ${mdText(m.new.title)} |`,
      ),
      '',
    );

  details(out, `Layers (${c.layers.rows.length})`, [
    '| | old | new | size | diffID | step |',
    '|---|---|---|---:|---|---|',
    ...c.layers.rows.map((r) => {
      const l = (r.new ?? r.old)!;
      const size =
        r.relation === 'rebuilt'
          ? `${formatBytes(r.old!.size ?? 0)} → ${formatBytes(r.new!.size ?? 0)}`
          : formatBytes(l.size ?? 0);
      return `| ${RELATION_TEXT[r.relation]} | ${r.old ? r.old.index : ''} | ${r.new ? r.new.index : ''} | ${size} | ${mdCode(shortDigest(l.diffId) || '-')} | ${l.createdBy ? mdCode(l.createdBy) : '-'} |`;
    }),
  ]);

  const p = c.packages;
  const pk = [
    ...p.upgraded.map((x) => `| upgraded | ${mdCode(x.name)} | ${mdCode(x.old)} | ${mdCode(x.new)} |`),
    ...p.downgraded.map((x) => `| downgraded | ${mdCode(x.name)} | ${mdCode(x.old)} | ${mdCode(x.new)} |`),
    ...p.changed.map((x) => `| changed | ${mdCode(x.name)} | ${mdCode(x.old)} | ${mdCode(x.new)} |`),
    ...p.added.map((x) => `| added | ${mdCode(x.name)} | — | ${mdCode(x.version)} |`),
    ...p.removed.map((x) => `| removed | ${mdCode(x.name)} | ${mdCode(x.version)} | — |`),
  ];
  details(
    out,
    `Packages (${pk.length} changed)`,
    pk.length ? ['| | package | old | new |', '|---|---|---|---|', ...pk] : [],
  );

  const cfg = c.config;
  const cfgRows: string[] = [];
  const show = (v: unknown) => (v === null ? '—' : mdCode(typeof v === 'string' ? v : JSON.stringify(v)));
  for (const [label, ch] of configValueChanges(cfg))
    cfgRows.push(`| ${label} | changed | ${show(ch.old)} | ${show(ch.new)} |`);
  for (const x of cfg.exposedPorts.added) cfgRows.push(`| EXPOSE | added | — | ${mdCode(x)} |`);
  for (const x of cfg.exposedPorts.removed) cfgRows.push(`| EXPOSE | removed | ${mdCode(x)} | — |`);
  for (const x of cfg.volumes.added) cfgRows.push(`| VOLUME | added | — | ${mdCode(x)} |`);
  for (const x of cfg.volumes.removed) cfgRows.push(`| VOLUME | removed | ${mdCode(x)} | — |`);
  const envRows = cfg.env.map((k) => kv(k).replace(/^\| /, '| ENV '));
  const labelRows = cfg.labels.map((k) => kv(k).replace(/^\| /, '| LABEL '));
  const allCfg = [...cfgRows, ...envRows, ...labelRows];
  details(
    out,
    `Config (${allCfg.length} changed)`,
    allCfg.length ? ['| | change | old | new |', '|---|---|---|---|', ...allCfg] : [],
  );

  const steps = cfg.history.filter((r) => r.relation !== 'same');
  details(
    out,
    `History (${steps.length} steps differ)`,
    steps.map((r) => `- ${r.relation}: ${mdCode((r.new ?? r.old)!.createdBy ?? '<no command>')}`),
  );

  const f = c.files;
  if (f.entries.length) {
    const narrowed = f.paths.length > 0;
    const dirs = directoriesToList(f.directories, narrowed);
    const body: string[] = [];
    const byDir = byDirectory(f.entries);
    for (const d of dirs) {
      body.push(
        `**${mdText(d.path)}** — +${d.added} ~${d.modified} -${d.removed}, ${mdText(signedBytes(d.bytesDelta))}`,
        '',
      );
      const list = byDir.get(d.path) ?? [];
      const cut = narrowed ? list : list.slice(0, MAX_PER_DIR);
      for (const e of cut) body.push(`- ${e.change} ${mdCode(e.path)} ${mdText(change(e))}`);
      if (cut.length < list.length) body.push(`- … ${list.length - cut.length} more`);
      body.push('');
    }
    if (dirs.length < f.directories.length)
      body.push(`… ${f.directories.length - dirs.length} more directories with smaller changes.`);
    details(
      out,
      `Files (${f.added} added, ${f.modified} modified, ${f.removed} removed; ${signedBytes(f.bytesDelta)})`,
      body,
    );
  }
  return out.join('\n');
}
