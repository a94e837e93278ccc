/**
 * What the marks on screen mean, for the help overlay: the tree's change symbols and the Layers
 * box's markers, drawn from the same style tables the panels draw with (render-tree.ts,
 * render-panels.ts), so the legend shows exactly the colours on screen.
 */
import { SEVERITIES } from '../findings/types.js';
import { HIDES_MARK, SEVERITY_STYLE, severityMark, VULN_MARK } from './render-panels.js';
import { CHANGE_STYLE, HIDDEN_STYLE } from './render-tree.js';
import type { Style } from './style.js';

export interface LegendItem {
  mark: string;
  style: Style;
  text: string;
}

export interface LegendGroup {
  title: string;
  items: LegendItem[];
}

export const LEGEND: readonly LegendGroup[] = [
  {
    title: 'Tree marks',
    items: [
      { mark: `${CHANGE_STYLE.added.sym} green`, style: CHANGE_STYLE.added.style, text: 'added by this layer' },
      {
        mark: `${CHANGE_STYLE.modified.sym} yellow`,
        style: CHANGE_STYLE.modified.style,
        text: 'modified by this layer ("replaces Ln": the version it replaced)',
      },
      {
        mark: `${CHANGE_STYLE.removed.sym} red`,
        style: CHANGE_STYLE.removed.style,
        text: 'removed by this layer ("from Ln": the layer that added it)',
      },
      {
        mark: '✗ magenta',
        style: HIDDEN_STYLE,
        text: 'deleted or overwritten by a LATER layer: still shipped in this one (v shows it, x extracts it)',
      },
      {
        mark: 's S t',
        style: { fg: 'brightRed', bold: true },
        text: 'setuid / setgid / sticky bits in the mode column',
      },
      {
        mark: '⚠',
        style: { fg: 'brightYellow', bold: true },
        text: 'the name holds control characters (shown escaped)',
      },
    ],
  },
  {
    title: 'Layer marks',
    items: [
      ...SEVERITIES.filter((s) => s !== 'info').map((s) => ({
        mark: `${severityMark(s).mark} ${s === 'unknown' ? 'unknown' : SEVERITY_STYLE[s].label.trim().toLowerCase()}`,
        style: severityMark(s).style,
        text:
          s === 'unknown'
            ? 'the worst finding of the layer is a known vulnerability no advisory rated (severity unknown, ranked below low)'
            : `the worst finding of the layer is ${s}`,
      })),
      {
        mark: VULN_MARK,
        style: { fg: 'brightRed', bold: true },
        text: 'the layer brought in packages with known vulnerabilities, in the colour of the worst (u lists them by package)',
      },
      {
        mark: '',
        style: {},
        text: 'a finding on a deleted file marks both the layer that ships it and the layer that deleted it; info findings mark nothing',
      },
      {
        mark: HIDES_MARK.mark,
        style: HIDES_MARK.style,
        text: 'no finding, but the layer deletes or overwrites files of lower layers',
      },
    ],
  },
];
