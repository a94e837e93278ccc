/**
 * The key table: every key the explorer answers, where it applies, what it does, its status-bar
 * hint and its help line. `dispatch` runs a key through it, the status bar and the `?` overlay
 * are drawn from it (render-screen.ts), so the three cannot disagree. Side panels bring their
 * keys from the panel registry (panels.ts).
 *
 * Keys are plain: a key held with Ctrl or Alt never acts as its letter. Ctrl+C quits (and
 * Ctrl+L redraws); dive's Ctrl chords get a one-line hint naming the layerlens key.
 */
import { type Binding, bindingLabel, type Context, keyLabel } from './binding.js';
import {
  chooseExportFormat,
  chooseExtractSide,
  confirmExport,
  confirmExtract,
  openViewer,
  runExport,
  runExtract,
  startExtract,
} from './effects.js';
import type { Explorer } from './explorer.js';
import { type KeyEvent, keyId, keyText } from './input.js';
import { COMPARE_PANELS, PANEL_KEYS, panelById, panelByKey, SIDE_PANELS } from './panels.js';
import { ROW_CHANGES } from './tree-view.js';

const MAIN: Context[] = ['main'];

/** Hints for dive users: its Ctrl chords, and what to press here instead. */
export const DIVE_CHORDS: Readonly<Record<string, string>> = {
  'C-f': 'dive’s Ctrl+F is / here: filter paths',
  'C-a': 'dive’s Ctrl+A is a here (whole filesystem ⇄ this layer’s changes) or 1 (show/hide added)',
  'C-space': 'dive’s Ctrl+Space is - / + here: collapse / expand all',
  'C-r': 'dive’s Ctrl+R is 3 here: show/hide removed (r reveals secrets)',
  'C-m': 'dive’s Ctrl+M is 2 here: show/hide modified',
  'C-u': 'dive’s Ctrl+U is 4 here: show/hide unmodified',
  'C-b': 'file attributes are always shown here (mode, uid:gid, size)',
  'C-e': 'dive’s Ctrl+E is x here: extract the file',
  'C-o': 'sorting is s here: by name ⇄ by size',
};

/** The help overlay's sections: one per context, in this order. */
export const HELP_SECTIONS: ReadonlyArray<{ context: Context; title: string }> = [
  { context: 'main', title: 'Everywhere' },
  { context: 'tree', title: 'File tree' },
  { context: 'layers', title: 'Layers' },
  { context: 'side', title: 'Side panel' },
  ...SIDE_PANELS.filter((p) => p.bindings?.length).map((p) => ({
    context: `panel:${p.id}` as Context,
    title: `${p.tab} panel`,
  })),
  { context: 'viewer', title: 'Viewer (v)' },
  { context: 'filter', title: 'Filter (/)' },
  { context: 'help', title: 'This help' },
];

const panelKeys = [...PANEL_KEYS];

export const KEY_TABLE: readonly Binding[] = [
  // ---- everywhere ----------------------------------------------------------------------------
  {
    keys: ['q'],
    when: MAIN,
    run: (ex) => (ex.quit = true),
    hint: 'quit',
    pin: true,
    help: 'quit (closes the viewer or this help first)',
  },
  { keys: ['C-c'], when: MAIN, run: (ex) => (ex.quit = true), help: 'quit, from anywhere' },
  { keys: ['?'], when: MAIN, run: (ex) => ex.openHelp(), hint: 'help', pin: true, help: 'this help' },
  {
    keys: ['tab'],
    when: MAIN,
    run: (ex) => ex.cycleFocus(1),
    hint: 'focus',
    help: 'focus the next panel: layers, tree, side panel',
  },
  { keys: ['S-tab'], when: MAIN, run: (ex) => ex.cycleFocus(-1), help: 'focus the previous panel' },
  {
    keys: ['[', ']'],
    label: '[ ]',
    when: MAIN,
    run: (ex, k) => ex.selectLayer(ex.layer + (k.name === ']' ? 1 : -1)),
    hint: 'layer',
    help: 'previous / next layer',
  },
  {
    keys: panelKeys,
    label: panelKeys.join(' '),
    when: MAIN,
    run: (ex, k) => {
      const panel = panelByKey(k.name, ex);
      if (panel) ex.showSide(panel.id);
      else ex.setMessage(`${k.name}: a panel of the compare view (layerlens OLD NEW)`);
    },
    hint: 'panels',
    help: `side panel: ${SIDE_PANELS.map((p) => `${p.key} ${p.tab.toLowerCase()}`).join(', ')}; comparing two images: ${COMPARE_PANELS.map((p) => `${p.key} ${p.tab.toLowerCase()}`).join(', ')} (again: back to the tree)`,
  },
  {
    keys: ['n', 'N'],
    label: 'n N',
    when: MAIN,
    run: (ex, k) => ex.nextFinding(k.name === 'n' ? 1 : -1),
    hint: 'next finding',
    help: 'next / previous finding: its layer, and its file in the tree',
  },
  {
    keys: ['a'],
    when: MAIN,
    run: (ex) => {
      ex.tree.toggleMode();
      ex.setMessage(
        ex.tree.mode === 'changes' ? "showing this layer's changes only" : 'showing the filesystem as of this layer',
      );
    },
    hint: (ex) => (ex.tree.mode === 'changes' ? 'all files' : 'changes'),
    help: "tree: this layer's changes only ⇄ the whole filesystem as of this layer",
  },
  {
    keys: ['/'],
    when: MAIN,
    run: (ex) => ex.startFilter(),
    hint: 'filter',
    help: 'filter paths: text (case-insensitive unless it has capitals) or /regex/',
  },
  {
    keys: ['1', '2', '3', '4'],
    label: '1 2 3 4',
    when: MAIN,
    run: (ex, k) => {
      const kind = ROW_CHANGES[Number(k.name) - 1];
      ex.tree.toggleKind(kind);
      ex.setMessage(`${kind}: ${ex.tree.kinds[kind] ? 'shown' : 'hidden'}`);
    },
    hint: 'kinds',
    help: 'show / hide added, modified, removed, unmodified entries',
  },
  {
    keys: ['s'],
    when: MAIN,
    run: (ex) => {
      ex.tree.setSort(ex.tree.sort === 'name' ? 'size' : 'name');
      ex.setMessage(`sorted by ${ex.tree.sort}`);
    },
    hint: 'sort',
    help: 'sort the tree by name ⇄ by size',
  },
  { keys: ['-'], when: MAIN, run: (ex) => ex.tree.collapseAll(), help: 'collapse all directories' },
  { keys: ['+', '='], label: '+', when: MAIN, run: (ex) => ex.tree.expandAll(), help: 'expand all directories' },
  {
    keys: ['r'],
    when: MAIN,
    run: (ex) => ex.toggleReveal(),
    help: 'reveal / mask secret values (viewer text and hex, layer commands, history, env, labels)',
  },
  {
    keys: ['e'],
    when: MAIN,
    run: (ex) => (ex.prompt = { kind: 'export-format' }),
    help: 'export the findings: JSON, SARIF or Markdown, to a file you name',
  },
  {
    keys: ['<', '>'],
    label: '< >',
    when: MAIN,
    run: (ex, k) => ex.moveSplit(k.name === '>' ? 4 : -4),
    help: 'move the divider between the left panels and the tree',
  },
  { keys: ['C-l'], when: ['main', 'viewer', 'help'], run: (ex) => (ex.redraw = true), help: 'redraw the screen' },

  // ---- file tree -------------------------------------------------------------------------------
  {
    keys: ['up', 'down', 'k', 'j'],
    label: '↑↓ k j',
    when: ['tree'],
    run: (ex, k) => (down(k) ? ex.tree.down() : ex.tree.up()),
    hint: 'move',
    help: 'previous / next row',
  },
  { keys: ['pagedown'], when: ['tree'], run: (ex) => ex.tree.pageDown(), help: 'page down' },
  { keys: ['pageup'], when: ['tree'], run: (ex) => ex.tree.pageUp(), help: 'page up' },
  { keys: ['home', 'g'], when: ['tree'], run: (ex) => ex.tree.home(), help: 'first row' },
  { keys: ['end', 'G'], when: ['tree'], run: (ex) => ex.tree.end(), help: 'last row' },
  {
    keys: ['left', 'right', 'h', 'l'],
    label: '←→ h l',
    when: ['tree'],
    run: (ex, k) => (k.name === 'left' || k.name === 'h' ? ex.tree.left() : ex.tree.right()),
    hint: 'fold',
    help: 'close the directory (or go to its parent) / open it (or step into it)',
  },
  { keys: ['space'], when: ['tree'], run: (ex) => ex.tree.toggle(), help: 'open / close the directory' },
  {
    keys: ['enter'],
    when: ['tree'],
    run: (ex) => {
      const c = ex.tree.cursor;
      const v = c ? ex.tree.displayVersion(c) : undefined;
      if (v?.type === 'dir') ex.tree.toggle();
      else openViewer(ex);
    },
    help: 'view the file / open or close the directory / follow the symlink',
  },
  {
    keys: ['v'],
    when: ['tree'],
    run: openViewer,
    hint: 'view',
    help: 'view the file (from the layer that holds it, deleted files too); on a symlink: go to its target',
  },
  {
    keys: ['x'],
    when: ['tree'],
    run: startExtract,
    hint: 'extract',
    help: 'extract the file to a path you confirm (never overwrites silently)',
  },
  {
    keys: ['escape'],
    when: ['tree'],
    run: (ex) => {
      if (ex.tree.filterText) ex.applyFilter('');
    },
    help: 'clear the filter',
  },

  // ---- layers ----------------------------------------------------------------------------------
  {
    keys: ['down', 'j'],
    label: '↓ j',
    when: ['layers'],
    run: (ex) => ex.selectLayer(ex.layer + 1),
    hint: 'layer',
    help: 'next layer',
  },
  {
    keys: ['up', 'k'],
    label: '↑ k',
    when: ['layers'],
    run: (ex) => ex.selectLayer(ex.layer - 1),
    help: 'previous layer',
  },
  {
    keys: ['pagedown'],
    when: ['layers'],
    run: (ex) => ex.selectLayer(ex.layer + ex.layersVisible()),
    help: 'a page of layers down',
  },
  {
    keys: ['pageup'],
    when: ['layers'],
    run: (ex) => ex.selectLayer(ex.layer - ex.layersVisible()),
    help: 'a page of layers up',
  },
  { keys: ['home', 'g'], when: ['layers'], run: (ex) => ex.selectLayer(0), help: 'first layer' },
  { keys: ['end', 'G'], when: ['layers'], run: (ex) => ex.selectLayer(ex.layerCount - 1), help: 'last layer' },
  {
    keys: ['enter', 'right', 'l', 'space'],
    label: 'Enter →',
    when: ['layers'],
    run: (ex) => ex.setFocus('tree'),
    hint: 'tree',
    help: "go to the layer's file tree",
  },

  // ---- side panel (panels without keys of their own scroll) -----------------------------------------
  ...SIDE_PANELS.flatMap((p) => p.bindings ?? []),
  {
    keys: ['up', 'down', 'k', 'j'],
    label: '↑↓ k j',
    when: ['side'],
    run: (ex, k) => ex.scrollSide(down(k) ? 1 : -1),
    hint: 'scroll',
    help: 'scroll up / down',
  },
  { keys: ['pagedown', 'space'], when: ['side'], run: (ex) => ex.scrollSide(10), help: 'page down' },
  { keys: ['pageup'], when: ['side'], run: (ex) => ex.scrollSide(-10), help: 'page up' },
  { keys: ['home', 'g'], when: ['side'], run: (ex) => (ex.sideScroll = 0), help: 'top' },
  { keys: ['end', 'G'], when: ['side'], run: (ex) => (ex.sideScroll = Number.MAX_SAFE_INTEGER), help: 'bottom' },
  {
    keys: ['escape'],
    when: ['side'],
    run: (ex) => ex.setFocus('tree'),
    help: 'back to the tree',
  },

  // ---- viewer ----------------------------------------------------------------------------------
  {
    keys: ['escape', 'q', 'v'],
    label: 'Esc q v',
    when: ['viewer'],
    run: (ex) => ex.closeViewer(),
    hint: 'close',
    pin: true,
    help: 'close the viewer',
  },
  { keys: ['C-c'], when: ['viewer', 'help'], run: (ex) => (ex.quit = true) },
  { keys: ['?'], when: ['viewer'], run: (ex) => ex.openHelp(), hint: 'help', pin: true, help: 'this help' },
  {
    keys: ['up', 'down', 'k', 'j'],
    label: '↑↓ k j',
    when: ['viewer'],
    run: (ex, k) => ex.scrollViewer((ex.viewer?.scroll ?? 0) + (down(k) ? 1 : -1)),
    hint: 'scroll',
    help: 'scroll up / down',
  },
  {
    keys: ['pagedown', 'space'],
    when: ['viewer'],
    run: (ex) => ex.scrollViewer((ex.viewer?.scroll ?? 0) + ex.viewerRows() - 1),
    help: 'page down',
  },
  {
    keys: ['pageup'],
    when: ['viewer'],
    run: (ex) => ex.scrollViewer((ex.viewer?.scroll ?? 0) - ex.viewerRows() + 1),
    help: 'page up',
  },
  { keys: ['home', 'g'], when: ['viewer'], run: (ex) => ex.scrollViewer(0), help: 'top' },
  {
    keys: ['end', 'G'],
    when: ['viewer'],
    run: (ex) => ex.scrollViewer(Number.MAX_SAFE_INTEGER),
    help: 'bottom',
  },
  {
    keys: ['left', 'right', 'h', 'l'],
    label: '←→ h l',
    when: ['viewer'],
    run: (ex, k) => {
      const v = ex.viewer;
      if (v) v.hscroll = Math.max(0, v.hscroll + (k.name === 'right' || k.name === 'l' ? 8 : -8));
    },
    hint: 'sideways',
    help: 'scroll left / right',
  },
  {
    keys: ['r'],
    when: ['viewer'],
    run: (ex) => ex.toggleReveal(),
    hint: (ex) => (ex.reveal ? 'mask secrets' : 'reveal secrets'),
    help: 'reveal / mask secrets (text and hex)',
  },
  { keys: ['b'], when: ['viewer'], run: (ex) => ex.toggleHex(), hint: 'hex/text', help: 'hex ⇄ text' },
  { keys: ['x'], when: ['viewer'], run: startExtract, hint: 'extract', help: 'extract this file' },

  // ---- help overlay ----------------------------------------------------------------------------
  {
    keys: ['escape', '?', 'q', 'enter'],
    label: 'Esc ? q',
    when: ['help'],
    run: (ex) => ex.closeHelp(),
    hint: 'close',
    pin: true,
    help: 'close this help',
  },
  {
    keys: ['up', 'down', 'k', 'j'],
    label: '↑↓ k j',
    when: ['help'],
    run: (ex, k) => ex.scrollHelp(ex.helpScroll + (down(k) ? 1 : -1)),
    hint: 'scroll',
    help: 'scroll up / down',
  },
  {
    keys: ['pagedown', 'space'],
    when: ['help'],
    run: (ex) => ex.scrollHelp(ex.helpScroll + helpPage(ex)),
    help: 'page down',
  },
  { keys: ['pageup'], when: ['help'], run: (ex) => ex.scrollHelp(ex.helpScroll - helpPage(ex)), help: 'page up' },
  { keys: ['home', 'g'], when: ['help'], run: (ex) => ex.scrollHelp(0), help: 'top' },
  { keys: ['end', 'G'], when: ['help'], run: (ex) => ex.scrollHelp(Number.MAX_SAFE_INTEGER), help: 'bottom' },

  // ---- filter field ----------------------------------------------------------------------------
  {
    keys: ['enter', 'tab'],
    label: 'Enter',
    when: ['filter'],
    run: (ex) => ex.endFilter(true),
    hint: 'keep',
    help: 'keep the filter and go back to the tree',
  },
  {
    keys: ['escape'],
    when: ['filter'],
    run: (ex) => ex.endFilter(false),
    hint: 'clear',
    help: 'clear the filter',
  },
  {
    keys: ['down', 'up'],
    label: '↓ ↑',
    when: ['filter'],
    run: (ex, k) => {
      ex.endFilter(true);
      if (k.name === 'down') ex.tree.down();
      else ex.tree.up();
    },
    help: 'keep the filter and move in the tree',
  },
  {
    keys: ['C-c'],
    when: ['filter', 'prompt-text', 'prompt-confirm', 'prompt-format', 'prompt-side'],
    run: (ex) => (ex.quit = true),
  },

  // ---- prompts ---------------------------------------------------------------------------------
  {
    keys: ['enter'],
    when: ['prompt-text'],
    run: (ex) => {
      const p = ex.prompt;
      ex.prompt = null;
      if (p?.kind === 'extract-path') confirmExtract(ex, p.value, p.path, p.layer, p.side);
      else if (p?.kind === 'export-path') confirmExport(ex, p.value, p.format);
    },
    hint: 'write',
  },
  {
    keys: ['escape'],
    when: ['prompt-text', 'prompt-format', 'prompt-side'],
    run: (ex) => {
      ex.prompt = null;
      ex.setMessage('cancelled');
    },
    hint: 'cancel',
  },
  {
    keys: ['y', 'Y'],
    when: ['prompt-confirm'],
    run: (ex) => {
      const p = ex.prompt;
      ex.prompt = null;
      if (p?.kind === 'extract-overwrite') runExtract(ex, p.target, p.path, p.layer, true, p.side);
      else if (p?.kind === 'export-overwrite') runExport(ex, p.format, p.target, true);
    },
    hint: 'overwrite',
  },
  {
    keys: ['n', 'N', 'enter', 'escape'],
    label: 'n',
    when: ['prompt-confirm'],
    run: (ex) => {
      const p = ex.prompt;
      ex.prompt = null;
      if (p && 'target' in p) ex.setMessage(`kept ${p.target}; nothing written`);
    },
    hint: 'keep the file',
  },
  { keys: ['j'], when: ['prompt-format'], run: (ex) => chooseExportFormat(ex, 'json'), hint: 'json' },
  { keys: ['s'], when: ['prompt-format'], run: (ex) => chooseExportFormat(ex, 'sarif'), hint: 'sarif' },
  { keys: ['m'], when: ['prompt-format'], run: (ex) => chooseExportFormat(ex, 'markdown'), hint: 'markdown' },
  ...(['old', 'new'] as const).map(
    (side): Binding => ({
      keys: [side[0]],
      when: ['prompt-side'],
      run: (ex) => {
        const p = ex.prompt;
        const s = p?.kind === 'extract-side' ? p.sides.find((x) => x.side === side) : undefined;
        ex.prompt = null;
        if (s) chooseExtractSide(ex, s);
      },
      hint: `the ${side} version`,
    }),
  ),
];

function down(k: KeyEvent): boolean {
  return k.name === 'down' || k.name === 'j';
}

function helpPage(ex: Explorer): number {
  return Math.max(1, ex.layout().body.height - 4);
}

/** The contexts a key is looked up in, most specific first. */
export function activeContexts(ex: Explorer): Context[] {
  const p = ex.prompt;
  if (p) {
    if (p.kind === 'extract-path' || p.kind === 'export-path') return ['prompt-text'];
    if (p.kind === 'export-format') return ['prompt-format'];
    if (p.kind === 'extract-side') return ['prompt-side'];
    return ['prompt-confirm'];
  }
  if (ex.filterEditing) return ['filter'];
  if (ex.help) return ['help'];
  if (ex.viewer) return ['viewer'];
  if (ex.focus === 'side') return [`panel:${panelById(ex.side, ex).id}`, 'side', 'main'];
  return [ex.focus, 'main'];
}

const BY_CONTEXT = new Map<Context, Map<string, Binding>>();
for (const b of KEY_TABLE) {
  for (const c of b.when) {
    let m = BY_CONTEXT.get(c);
    if (!m) BY_CONTEXT.set(c, (m = new Map()));
    for (const k of b.keys) if (!m.has(k)) m.set(k, b);
  }
}

/** The binding a key runs in the current state, if any. */
export function bindingFor(ex: Explorer, key: KeyEvent): Binding | undefined {
  const id = keyId(key);
  for (const c of activeContexts(ex)) {
    const b = BY_CONTEXT.get(c)?.get(id);
    if (b) return b;
  }
  return undefined;
}

/** Run one key through the table. */
export function dispatch(ex: Explorer, key: KeyEvent): void {
  const contexts = activeContexts(ex);
  const typing = contexts[0] === 'filter' || contexts[0] === 'prompt-text';
  if (!typing && !ex.prompt) ex.message = null;
  const b = bindingFor(ex, key);
  if (b) {
    b.run(ex, key);
    return;
  }
  if (typing) {
    editField(ex, key);
    return;
  }
  if (key.ctrl || key.meta) ex.setMessage(modifiedKeyHint(key));
}

/** A text field takes the key: typed text, Backspace, Ctrl+U (clear). */
function editField(ex: Explorer, key: KeyEvent): void {
  const p = ex.prompt;
  const value = p && 'value' in p ? p.value : ex.filterDraft;
  let next = value;
  if (key.name === 'backspace' || key.name === 'delete') next = [...value].slice(0, -1).join('');
  else if (key.ctrl && key.name === 'u') next = '';
  else {
    const t = keyText(key);
    if (t === undefined) return;
    next = value + t;
  }
  if (next === value) return;
  if (p && 'value' in p) p.value = next;
  else {
    ex.filterDraft = next;
    ex.filterDraftChanged();
  }
}

/** What a Ctrl/Alt key does not do, and what to press instead. */
export function modifiedKeyHint(key: KeyEvent): string {
  const id = keyId(key);
  const dive = DIVE_CHORDS[id];
  if (dive) return dive;
  return `${keyLabel(id)} does nothing: layerlens keys are plain letters (? lists them)`;
}

/** Status-bar hints for the current state: [key label, text], pinned ones last. */
export function statusHints(ex: Explorer): { items: Array<[string, string]>; pinned: Array<[string, string]> } {
  const items: Array<[string, string]> = [];
  const pinned: Array<[string, string]> = [];
  // Keys a more specific context already answers (↓ in the findings panel) are not hinted twice.
  const taken = new Set<string>();
  for (const c of activeContexts(ex)) {
    const here = KEY_TABLE.filter((b) => b.when.includes(c));
    for (const b of here) {
      if (!b.hint || b.keys.every((k) => taken.has(k))) continue;
      const text = typeof b.hint === 'function' ? b.hint(ex) : b.hint;
      (b.pin ? pinned : items).push([bindingLabel(b), text]);
    }
    for (const b of here) for (const k of b.keys) taken.add(k);
  }
  return { items, pinned };
}
