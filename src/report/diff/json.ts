/**
 * The diff JSON report (`layerlens diff --format json`), documented in docs/reports.md. It carries
 * `schemaVersion: 1` and `report: "diff"`; within the version fields are only added, never
 * renamed or changed in meaning.
 */
import type { ImageComparison } from '../../findings/compare/types.js';
import type { Finding } from '../../findings/types.js';
import { findingJson, SCHEMA_VERSION, summarize } from '../json.js';
import { TOOL_NAME, toolVersion } from '../tool.js';
import { configChangeNames } from './summary.js';
import { jsonPieces, listAt } from '../../text/pieces.js';

export interface DiffJsonOptions {
  /** Which findings the lists show (--severity); the summary counts what is shown. */
  shown?: (f: Finding) => boolean;
}

export function diffJsonDocument(c: ImageComparison, opts: DiffJsonOptions = {}) {
  const { doc, introduced, resolved, unchanged } = diffParts(c, opts);
  return {
    ...doc,
    findings: {
      ...doc.findings,
      new: introduced.map(findingJson),
      resolved: resolved.map(findingJson),
      unchanged: unchanged.map(unchangedJson),
    },
  };
}

/** A finding in both images, as the document lists it. */
function unchangedJson(m: ImageComparison['findings']['unchanged'][number]) {
  return {
    id: m.new.id,
    oldId: m.old.id,
    ruleId: m.new.ruleId,
    severity: m.new.severity,
    oldSeverity: m.old.severity,
    title: m.new.title,
    path: m.new.path,
    oldPath: m.old.path,
    key: m.new.key,
    moved: m.moved,
  };
}

/** The document with empty lists of findings in their places, and the findings that go there. */
function diffParts(c: ImageComparison, opts: DiffJsonOptions) {
  const shown = opts.shown ?? (() => true);
  const introduced = c.findings.new.filter(shown);
  const resolved = c.findings.resolved.filter(shown);
  const unchanged = c.findings.unchanged.filter((m) => shown(m.new));
  const bySeverity = (v: { severity: Finding['severity'] }) => shown(v as Finding);
  const fixed = c.vulnerabilities.fixed.filter(bySeverity);
  const vulnsIntroduced = c.vulnerabilities.introduced.filter(bySeverity);
  const { history, ...config } = c.config;
  const doc = {
    schemaVersion: SCHEMA_VERSION,
    report: 'diff',
    tool: { name: TOOL_NAME, version: toolVersion() },
    old: c.old,
    new: c.new,
    identical: c.identical,
    summary: {
      layers: {
        old: c.old.layerCount,
        new: c.new.layerCount,
        sharedByDiffId: c.layers.shared.byDiffId,
        sharedByDigest: c.layers.shared.byDigest,
        commonPrefix: c.layers.commonPrefix,
      },
      files: {
        added: c.files.added,
        removed: c.files.removed,
        modified: c.files.modified,
        timestampOnly: c.files.timestampOnly,
        bytesDelta: c.files.bytesDelta,
      },
      packages: {
        added: c.packages.added.length,
        removed: c.packages.removed.length,
        upgraded: c.packages.upgraded.length,
        downgraded: c.packages.downgraded.length,
        changed: c.packages.changed.length,
      },
      vulnerabilities: {
        checked: c.vulnerabilities.checked,
        fixed: summarize(fixed as unknown as Finding[]),
        introduced: summarize(vulnsIntroduced as unknown as Finding[]),
        unchanged: c.vulnerabilities.unchanged,
      },
      findings: { new: summarize(introduced), resolved: summarize(resolved), unchanged: unchanged.length },
      config: configChangeNames(c.config),
    },
    layers: c.layers,
    history,
    files: c.files,
    config,
    sizes: c.sizes,
    packages: c.packages,
    vulnerabilities: { ...c.vulnerabilities, fixed, introduced: vulnsIntroduced },
    findings: {
      new: [] as Record<string, unknown>[],
      resolved: [] as Record<string, unknown>[],
      unchanged: [] as ReturnType<typeof unchangedJson>[],
      leftOut: c.findings.leftOut,
      hidden: c.findings.new.length - introduced.length + (c.findings.resolved.length - resolved.length),
    },
  };
  return { doc, introduced, resolved, unchanged };
}

export function toDiffJson(c: ImageComparison, opts: DiffJsonOptions = {}): string {
  return [...diffJsonPieces(c, opts)].join('');
}

/**
 * The document as pieces of text, the same bytes as one JSON.stringify of it: the file list of
 * two images of a million paths each is more text than one JavaScript string holds (~512 MiB; the
 * command said `Invalid string length`), and so are a few hundred thousand findings; their
 * entries are written a few hundred at a time, each finding made as it is written.
 */
export function* diffJsonPieces(c: ImageComparison, opts: DiffJsonOptions = {}): Generator<string> {
  const { doc, introduced, resolved, unchanged } = diffParts(c, opts);
  yield* jsonPieces(
    doc,
    listAt(['files', 'entries'], doc.files.entries, (e) => e),
    listAt(['findings', 'new'], introduced, findingJson),
    listAt(['findings', 'resolved'], resolved, findingJson),
    listAt(['findings', 'unchanged'], unchanged, unchangedJson),
  );
  yield '\n';
}
