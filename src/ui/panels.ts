/**
 * The side panels, as a registry: each entry says which key shows it, its tab label, how its
 * body is drawn, and any keys, clicks or wheel steps of its own. The key table (keys.ts),
 * the tabs in the panel's top border, the status bar, the help overlay and mouse clicks are all
 * made from this list, so a new panel is one entry here (see docs/architecture.md, "Adding a
 * side panel").
 */
import type { Binding } from './binding.js';
import type { Explorer } from './explorer.js';
import {
  findingsBody,
  findingsInfo,
  findingsListRows,
  findingsListTop,
  historyBody,
  imageBody,
  portsBody,
} from './render-panels.js';
import {
  compareHistoryBody,
  compareImageBody,
  comparePackagesBody,
  compareRowDetails,
  compareVulnsBody,
} from './render-compare.js';
import type { Line } from './style.js';
import { vulnsBody, vulnsGeometry, vulnsInfo } from './render-vulns.js';

export interface SidePanel {
  /** Stable id (Explorer.side, `panel:ID` contexts in the key table). */
  id: string;
  /** The key that shows the panel (and, pressed again, goes back to the tree). */
  key: string;
  /** Its tab in the panel's top border. */
  tab: string;
  /** What it shows, for the help overlay. */
  help: string;
  /** Right side of the top border (the layer shown, counts); default: nothing. */
  info?(ex: Explorer): string;
  /**
   * The rows on screen (`rows` of them at most), `width` cells wide. Panels that scroll by line
   * use scrollLines() on their whole body.
   */
  body(ex: Explorer, width: number, rows: number): Line[];
  /** Keys of its own while it has focus (context `panel:ID`); others fall through to scrolling. */
  bindings?: Binding[];
  /** A click on body row `row` (0 = first row on screen). */
  click?(ex: Explorer, row: number, rows: number): void;
  /** A mouse wheel step over the panel (default: scroll by three lines). */
  wheel?(ex: Explorer, step: 1 | -1): void;
}

/** Lines `ex.sideScroll`… of `lines`, the scroll clamped so the last page stays full. */
export function scrollLines(ex: Explorer, lines: Line[], rows: number): Line[] {
  ex.sideScroll = Math.max(0, Math.min(ex.sideScroll, lines.length - rows));
  return lines.slice(ex.sideScroll, ex.sideScroll + rows);
}

const FINDINGS_PAGE = 5;

/** A side panel that is a list (findings, vulnerable packages): its keys, written once for both. */
interface ListKeys {
  panel: 'findings' | 'vulns';
  /** One item and several, for the help: "finding", "findings". */
  noun: string;
  nouns: string;
  index: (ex: Explorer) => number;
  /** Select item `i` (clamped by the explorer). */
  select: (ex: Explorer, i: number) => void;
  go: (ex: Explorer) => void;
  goHelp: string;
}

/**
 * A side panel that is a list (findings, vulnerable packages): its keys, a click (the row's item
 * selected; a click on the selected one goes to it, as a double-click would) and the wheel, the
 * same for every such panel. `rowAt`: the item on a clicked row of the body, if any.
 */
function listPanel(
  l: ListKeys & { rowAt: (ex: Explorer, row: number, rows: number) => number | undefined },
): Pick<SidePanel, 'bindings' | 'click' | 'wheel'> {
  return {
    bindings: listBindings(l),
    click: (ex, row, rows) => {
      const i = l.rowAt(ex, row, rows);
      if (i === undefined) return;
      if (i === l.index(ex)) l.go(ex);
      else l.select(ex, i);
    },
    wheel: (ex, step) => l.select(ex, l.index(ex) + step),
  };
}

function listBindings(l: ListKeys): Binding[] {
  const when = [`panel:${l.panel}`] as const;
  const by = (d: number) => (ex: Explorer) => l.select(ex, l.index(ex) + d);
  return [
    {
      keys: ['up', 'down', 'k', 'j'],
      label: '↑↓ k j',
      when,
      run: (ex, k) => by(k.name === 'down' || k.name === 'j' ? 1 : -1)(ex),
      hint: 'select',
      help: `previous / next ${l.noun}`,
    },
    { keys: ['pagedown', 'space'], when, run: by(FINDINGS_PAGE), help: `${FINDINGS_PAGE} ${l.nouns} down` },
    { keys: ['pageup'], when, run: by(-FINDINGS_PAGE), help: `${FINDINGS_PAGE} ${l.nouns} up` },
    { keys: ['home', 'g'], when, run: (ex) => l.select(ex, 0), help: `first ${l.noun}` },
    { keys: ['end', 'G'], when, run: (ex) => l.select(ex, Number.MAX_SAFE_INTEGER), help: `last ${l.noun}` },
    { keys: ['enter'], when, run: (ex) => l.go(ex), hint: 'go to', help: l.goHelp },
  ];
}

export const SIDE_PANELS: readonly SidePanel[] = [
  {
    id: 'history',
    key: 'c',
    tab: 'History',
    help: 'the selected layer’s full command, with the metadata steps around it and build args it recorded',
    info: (ex) => `layer ${ex.layer}`,
    body: (ex, width, rows) => scrollLines(ex, historyBody(ex, width), rows),
  },
  {
    id: 'ports',
    key: 'p',
    tab: 'Ports',
    help: 'EXPOSEd ports: service, severity and what `docker run -P` does with them',
    body: (ex, width, rows) => scrollLines(ex, portsBody(ex, width), rows),
  },
  {
    id: 'findings',
    key: 'f',
    tab: 'Findings',
    help: 'every finding, most severe first; Enter goes to its layer and file',
    info: findingsInfo,
    body: (ex, width, rows) => findingsBody(ex, width, rows),
    ...listPanel({
      panel: 'findings',
      noun: 'finding',
      nouns: 'findings',
      index: (ex) => ex.findingIndex,
      select: (ex, i) => ex.selectFinding(i),
      go: (ex) => ex.jumpToFinding(ex.findingIndex),
      goHelp: 'go to the finding: its layer, and its file in the tree',
      rowAt: (ex, row, rows) => {
        const i = findingsListTop(ex, rows) + row;
        return i < ex.findings.length && row < findingsListRows(rows) ? i : undefined;
      },
    }),
  },
  {
    id: 'vulns',
    key: 'u',
    tab: 'Vulns',
    help: 'known vulnerabilities grouped by package: severity counts, the layer that brought each package in (base image or yours) and its command, fixed versions or "no fix available yet"; Enter goes to the layer and the package’s files',
    info: vulnsInfo,
    body: (ex, width, rows) => vulnsBody(ex, width, rows),
    ...listPanel({
      panel: 'vulns',
      noun: 'package',
      nouns: 'packages',
      index: (ex) => ex.vulnIndex,
      select: (ex, i) => ex.selectVulnerable(i),
      go: (ex) => ex.jumpToVulnerable(),
      goHelp: 'go to the layer that brought the package in, and to its files in the tree',
      rowAt: (ex, row, rows) => {
        const g = vulnsGeometry(ex, ex.layout().side.width - 2, rows);
        const i = g.top + row - g.header;
        return row >= g.header && row < g.header + g.list && i < ex.vulnerablePackages().length ? i : undefined;
      },
    }),
  },
  {
    id: 'image',
    key: 'i',
    tab: 'Image',
    help: 'reference, digest, platform, sizes, efficiency (also as dive computes it), user, entrypoint, env (masked), labels',
    body: (ex, width, rows) => scrollLines(ex, imageBody(ex, width), rows),
  },
];

const findingsPanel = SIDE_PANELS.find((p) => p.id === 'findings')!;

/**
 * The compare view's panels (`layerlens OLD NEW`): the history of both lined up, the findings NEW
 * introduces and resolves (the one-image Findings panel, over the compare list), vulnerabilities
 * and packages NEW changes, and the image config and sizes compared.
 */
export const COMPARE_PANELS: readonly SidePanel[] = [
  {
    id: 'history',
    key: 'c',
    tab: 'History',
    help: 'the selected layer row of both images, and every history step of both lined up',
    info: (ex) => `row ${ex.layer}`,
    body: (ex, width, rows) =>
      scrollLines(ex, [...compareRowDetails(ex, width), ...compareHistoryBody(ex, width)], rows),
  },
  {
    ...findingsPanel,
    help: 'the findings the new image introduces, then the ones it resolves; Enter goes to the file',
  },
  {
    // (Its own id: the one-image Vulns panel's keys select packages; this one scrolls.)
    id: 'compare-vulns',
    key: 'u',
    tab: 'Vulns',
    help: 'known vulnerabilities the new image introduces and fixes (with a vulnerability database)',
    body: (ex, width, rows) => scrollLines(ex, compareVulnsBody(ex, width), rows),
  },
  {
    id: 'packages',
    key: 'd',
    tab: 'Packages',
    help: 'packages (dependencies) added, removed, up- and downgraded, of every ecosystem',
    body: (ex, width, rows) => scrollLines(ex, comparePackagesBody(ex, width), rows),
  },
  {
    id: 'image',
    key: 'i',
    tab: 'Image',
    help: 'the two images’ sizes and config compared: USER, ENTRYPOINT/CMD, EXPOSE, ENV (masked), LABEL',
    body: (ex, width, rows) => scrollLines(ex, compareImageBody(ex, width), rows),
  },
];

/** The panels of the explorer's view: one image's, or the compare view's. */
export function panelsOf(ex: Explorer): readonly SidePanel[] {
  return ex.compare ? COMPARE_PANELS : SIDE_PANELS;
}

export function panelById(id: string, ex?: Explorer): SidePanel {
  const list = ex ? panelsOf(ex) : SIDE_PANELS;
  return list.find((p) => p.id === id) ?? list[0];
}

export function panelByKey(key: string, ex?: Explorer): SidePanel | undefined {
  return (ex ? panelsOf(ex) : SIDE_PANELS).find((p) => p.key === key);
}

/** Every panel key of either view (the key table's panel binding answers them all). */
export const PANEL_KEYS: readonly string[] = [...new Set([...SIDE_PANELS, ...COMPARE_PANELS].map((p) => p.key))];

export interface Tab {
  id: string;
  label: string;
  /** Cells from the panel's left edge, [x0, x1). */
  x0: number;
  x1: number;
}

/**
 * The tabs in the side panel's top border, left to right after the corner: `Findings f` per panel,
 * the shown one in brackets. Render and mouse clicks both use these positions.
 */
export function sideTabs(ex: Explorer): Tab[] {
  const out: Tab[] = [];
  let x = 2; // after '╭─'
  for (const p of panelsOf(ex)) {
    const label = p.id === ex.side ? `[${p.tab}]` : `${p.tab} ${p.key}`;
    out.push({ id: p.id, label, x0: x, x1: x + label.length });
    x += label.length + 1;
  }
  return out;
}
