/**
 * The explorer's state and key handling, without React: which panel has focus, which layer is
 * selected, the tree view, side panels, viewer, prompts, messages. Keys come in as (input, key)
 * like Ink's useInput; async work (reading a file from a layer, writing an extract or export)
 * reports back through `onChange`. Rendering is in render.ts.
 */
import path from 'node:path';
import type { ImageModel } from '../engine/image.js';
import type { Finding } from '../findings/types.js';
import { commandFull } from './commands.js';
import { engineFindings, sortFindings } from './engine-findings.js';
import { EXPORT_EXT, type ExportFormat, writeReport } from './export.js';
import { extractFile, resolveTarget, safeFileName } from './extract.js';
import { formatBytes } from './format.js';
import { locateContent, readLayerFile } from '../engine/layer-file.js';
import { safeText } from './sanitize.js';
import { SizeIndex } from './sizes.js';
import { TreeView, type RowChange, ROW_CHANGES } from './tree-view.js';
import type { ChangeStats } from '../engine/tree.js';
import { displayText, hexLineCount, makeDoc, type ViewerDoc } from './viewer.js';

export type Focus = 'layers' | 'tree' | 'side';
export type SidePanel = 'history' | 'ports' | 'findings' | 'image';
export const SIDE_PANELS: readonly SidePanel[] = ['history', 'ports', 'findings', 'image'];

/** The subset of Ink's Key the explorer reads. */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

export interface ViewerState {
  path: string;
  layer: number;
  loading: boolean;
  error?: string;
  doc?: ViewerDoc;
  hex: boolean;
  scroll: number;
  hscroll: number;
  /** Cached display lines (recomputed when reveal changes). */
  lines?: string[];
  masked?: number;
  linesRevealed?: boolean;
}

export type Prompt =
  | { kind: 'extract-path'; value: string; path: string; layer: number }
  | { kind: 'extract-overwrite'; target: string; path: string; layer: number }
  | { kind: 'export-format' }
  | { kind: 'export-path'; value: string; format: ExportFormat }
  | { kind: 'export-overwrite'; target: string; format: ExportFormat };

export interface Message {
  text: string;
  kind: 'info' | 'error' | 'ok';
}

export interface ExplorerOptions {
  model: ImageModel;
  /** Findings from the full checks; called when the image is loaded. */
  findings?: () => Finding[];
  title?: string;
  cwd?: string;
  width?: number;
  height?: number;
}

export interface RateSample {
  t: number;
  bytes: number;
}

export class Explorer {
  readonly model: ImageModel;
  readonly tree: TreeView;
  readonly title?: string;
  readonly cwd: string;
  width: number;
  height: number;

  focus: Focus = 'tree';
  side: SidePanel = 'history';
  layer = 0;
  /** First layer row on screen in the layers panel. */
  layerTop = 0;
  sideScroll = 0;
  findingIndex = 0;
  findings: Finding[] = [];
  findingsFinal = false;
  private findingsFn?: () => Finding[];

  filterEditing = false;
  filterDraft = '';
  reveal = false;
  help = false;
  helpScroll = 0;
  viewer: ViewerState | null = null;
  prompt: Prompt | null = null;
  message: Message | null = null;
  quit = false;
  /** Byte samples for the progress rate. */
  readonly samples: RateSample[] = [];
  /** Paint on every terminal line (direct painting) instead of leaving the last one empty (Ink). */
  fullHeight = false;
  private statsCache = new Map<number, ChangeStats>();
  private hidesCache = new Map<number, boolean>();
  /** Called when async work changed the state. */
  onChange: () => void = () => {};
  private pending = new Set<Promise<unknown>>();

  constructor(opts: ExplorerOptions) {
    this.model = opts.model;
    this.title = opts.title;
    this.cwd = opts.cwd ?? process.cwd();
    this.findingsFn = opts.findings;
    this.width = opts.width ?? 100;
    this.height = opts.height ?? 30;
    this.tree = new TreeView({ tree: this.model.tree, sizes: new SizeIndex(this.model.tree) });
    this.refreshFindings();
    this.tree.setLayer(0);
  }

  /** Resolves when every async action started so far has finished (tests). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track<T>(p: Promise<T>): void {
    const q = p.finally(() => {
      this.pending.delete(q);
      this.onChange();
    });
    this.pending.add(q);
  }

  /** Change counters of an applied layer (layers never change once applied: cached). */
  layerStats(i: number): ChangeStats | undefined {
    if (i >= this.model.tree.layerCount) return undefined;
    let s = this.statsCache.get(i);
    if (!s) this.statsCache.set(i, (s = this.model.tree.stats(i)));
    return s;
  }

  /** Does layer `i` delete or overwrite files of lower layers? (cached) */
  layerHides(i: number): boolean {
    if (i >= this.model.tree.layerCount) return false;
    let h = this.hidesCache.get(i);
    if (h === undefined) {
      h = this.model.tree.changesByLayer[i].some((node) => {
        const v = node.versionIn(i);
        return !!v && v.change !== 'added' && v.type !== 'dir';
      });
      this.hidesCache.set(i, h);
    }
    return h;
  }

  get layerCount(): number {
    return Math.max(this.model.layers.length, this.model.meta?.layers.length ?? 0, this.model.tree.layerCount);
  }

  // ---- model events --------------------------------------------------------------------------

  /** New data from the model (layer applied, progress, done): keep views consistent. */
  sync(): void {
    const read = this.model.layers.reduce((s, l) => s + (l.bytesRead || 0), 0);
    const now = Date.now();
    const last = this.samples[this.samples.length - 1];
    if (!last || now - last.t >= 100) this.samples.push({ t: now, bytes: read });
    while (this.samples.length > 2 && now - this.samples[0].t > 3000) this.samples.shift();
    this.tree.refresh();
  }

  /** Recompute findings: engine-derived while loading, the full checks once loaded. */
  refreshFindings(): void {
    const done = this.model.done;
    let list: Finding[] | undefined;
    if (done && this.findingsFn) {
      try {
        list = this.findingsFn();
      } catch (err) {
        this.setMessage(`findings failed: ${safeText((err as Error).message)}`, 'error');
      }
    }
    const keep = this.findings[this.findingIndex]?.id;
    this.findings = sortFindings(list ?? engineFindings(this.model));
    this.findingsFinal = done;
    const i = keep ? this.findings.findIndex((f) => f.id === keep) : -1;
    this.findingIndex = i >= 0 ? i : Math.min(this.findingIndex, Math.max(0, this.findings.length - 1));
  }

  // ---- layout --------------------------------------------------------------------------------

  resize(width: number, height: number): void {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.tree.setHeight(this.layout().treeRows);
  }

  /** Panel geometry. The frame is height−1 lines (Ink clears the screen on full-height frames). */
  layout() {
    const W = this.width;
    const H = Math.max(1, this.fullHeight ? this.height : this.height - 1);
    const body = Math.max(0, H - 2);
    const wide = W >= 110;
    const n = this.layerCount;
    const filterLine = this.filterEditing || this.tree.filterText !== '' ? 1 : 0;
    if (wide) {
      const leftW = Math.max(46, Math.min(90, Math.round(W * 0.42)));
      const layersH = Math.max(5, Math.min(n + 3, Math.round(body * 0.45)));
      const sideH = Math.max(0, body - layersH);
      const treeH = body;
      return {
        W,
        H,
        body,
        wide,
        leftW,
        rightW: W - leftW,
        layersH,
        sideH,
        treeH,
        treeRows: Math.max(1, treeH - 3 - filterLine),
      };
    }
    const layersH = Math.max(4, Math.min(n + 3, Math.round(body * 0.3)));
    const rest = Math.max(0, body - layersH);
    return {
      W,
      H,
      body,
      wide,
      leftW: W,
      rightW: W,
      layersH,
      sideH: rest,
      treeH: rest,
      treeRows: Math.max(1, rest - 3 - filterLine),
    };
  }

  layersVisible(): number {
    return Math.max(1, this.layout().layersH - 3);
  }

  // ---- messages ------------------------------------------------------------------------------

  setMessage(text: string, kind: Message['kind'] = 'info'): void {
    this.message = { text, kind };
  }

  // ---- layers --------------------------------------------------------------------------------

  selectLayer(i: number): void {
    const n = this.layerCount;
    if (n === 0) return;
    this.layer = Math.max(0, Math.min(n - 1, i));
    const vis = this.layersVisible();
    if (this.layer < this.layerTop) this.layerTop = this.layer;
    if (this.layer >= this.layerTop + vis) this.layerTop = this.layer - vis + 1;
    this.sideScroll = 0;
    this.tree.setLayer(this.layer);
  }

  // ---- findings ------------------------------------------------------------------------------

  /** Jump to finding `i`: its layer, and its file when it has one. */
  jumpToFinding(i: number): void {
    const n = this.findings.length;
    if (n === 0) {
      this.setMessage('no findings');
      return;
    }
    this.findingIndex = ((i % n) + n) % n;
    const f = this.findings[this.findingIndex];
    const label = `finding ${this.findingIndex + 1}/${n} [${f.severity}]: ${safeText(f.title)}`;
    if (f.layerIndex !== null && f.layerIndex < this.layerCount) {
      this.selectLayer(f.layerIndex);
      if (f.path) {
        const ok = this.tree.reveal(f.path, f.layerIndex);
        this.focus = 'tree';
        this.setMessage(ok ? label : `${label} (path not in the tree yet)`);
        return;
      }
    }
    if (f.category === 'port') this.side = 'ports';
    else if (!f.path && f.layerIndex === null) this.side = 'findings';
    this.setMessage(label);
  }

  // ---- viewer --------------------------------------------------------------------------------

  openViewer(): void {
    const node = this.tree.cursor;
    if (!node) return;
    const p = node.path;
    const loc = locateContent(this.model, p, this.layer);
    if (!loc) {
      this.setMessage(`${safeText(p)}: nothing to show in layer ${this.layer}`, 'error');
      return;
    }
    if (loc.version.type === 'dir') {
      this.tree.toggle();
      return;
    }
    if (loc.version.type !== 'file') {
      const target = loc.version.linkTarget ? ` → ${safeText(loc.version.linkTarget)}` : '';
      this.setMessage(`${safeText(p)} is a ${loc.version.special ?? loc.version.type}${target}: no content to show`);
      return;
    }
    const later = this.laterNote(p, loc.layer);
    const v: ViewerState = { path: p, layer: loc.layer, loading: true, hex: false, scroll: 0, hscroll: 0 };
    this.viewer = v;
    this.track(
      readLayerFile(this.model, loc.layer, loc.path).then(
        (r) => {
          v.loading = false;
          v.doc = makeDoc(p, loc.layer, r.data, r.size, r.truncated, later);
          v.hex = v.doc.binary;
        },
        (err: Error) => {
          v.loading = false;
          v.error = safeText(err.message);
        },
      ),
    );
  }

  private laterNote(p: string, layer: number): string | undefined {
    const node = this.model.tree.lookupPath(p);
    if (!node) return undefined;
    const v = node.versionIn(layer);
    if (!v) return undefined;
    const next = node.versions[node.versions.indexOf(v) + 1];
    if (!next) return undefined;
    return `${next.change === 'removed' ? 'deleted' : 'overwritten'} in layer ${next.layer}`;
  }

  /** Display lines of the open viewer (cached; masking depends on reveal). */
  viewerLines(): string[] {
    const v = this.viewer;
    if (!v?.doc || v.doc.binary) return [];
    if (!v.lines || v.linesRevealed !== this.reveal) {
      const d = displayText(v.doc, this.reveal);
      v.lines = d.lines;
      v.masked = d.masked;
      v.linesRevealed = this.reveal;
    }
    return v.lines;
  }

  viewerLineCount(): number {
    const v = this.viewer;
    if (!v?.doc) return 0;
    return v.hex ? hexLineCount(v.doc) : this.viewerLines().length;
  }

  viewerRows(): number {
    return Math.max(1, this.layout().H - 2 - 2);
  }

  // ---- extract / export ----------------------------------------------------------------------

  startExtract(): void {
    const node = this.viewer ? this.model.tree.lookupPath(this.viewer.path) : this.tree.cursor;
    if (!node) return;
    const p = node.path;
    const loc = locateContent(this.model, p, this.viewer ? this.viewer.layer : this.layer);
    if (!loc || loc.version.type !== 'file') {
      this.setMessage(`${safeText(p)}: only regular files can be extracted`, 'error');
      return;
    }
    this.prompt = { kind: 'extract-path', value: safeFileName(p), path: loc.path, layer: loc.layer };
  }

  private runExtract(target: string, inImage: string, layer: number, overwrite: boolean): void {
    this.track(
      extractFile(this.model, layer, inImage, target, overwrite).then(
        (n) =>
          this.setMessage(
            `extracted ${safeText(inImage)} from layer ${layer} to ${safeText(target)} (${formatBytes(n)}, mode 600)`,
            'ok',
          ),
        (err: Error & { code?: string }) => {
          if (err.code === 'EXISTS') this.prompt = { kind: 'extract-overwrite', target, path: inImage, layer };
          else this.setMessage(safeText(err.message), 'error');
        },
      ),
    );
  }

  private runExport(format: ExportFormat, target: string, overwrite: boolean): void {
    this.track(
      writeReport(format, { meta: this.model.meta, findings: this.findings }, target, overwrite).then(
        (n) =>
          this.setMessage(
            `wrote ${this.findings.length} findings as ${format} to ${safeText(target)} (${formatBytes(n)})`,
            'ok',
          ),
        (err: Error & { code?: string }) => {
          if (err.code === 'EXISTS') this.prompt = { kind: 'export-overwrite', target, format };
          else this.setMessage(safeText(err.message), 'error');
        },
      ),
    );
  }

  // ---- keys ----------------------------------------------------------------------------------

  /** A text field (filter, path prompt) takes the keys. */
  get editingText(): boolean {
    return this.filterEditing || this.prompt?.kind === 'extract-path' || this.prompt?.kind === 'export-path';
  }

  key(input: string, key: KeyInfo = {}): void {
    if (!this.prompt && !this.filterEditing) this.message = null;
    if (this.prompt) return this.promptKey(input, key);
    if (this.filterEditing) return this.filterKey(input, key);
    if (this.help) return this.helpKey(input, key);
    if (this.viewer) return this.viewerKey(input, key);
    this.mainKey(input, key);
  }

  private editLine(value: string, input: string, key: KeyInfo): string {
    if (key.backspace || key.delete) return value.slice(0, -1);
    if (key.ctrl && input === 'u') return '';
    if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow)
      return value;
    // Pasted text may hold newlines or escapes: keep printable characters only.
    return value + input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  }

  private promptKey(input: string, key: KeyInfo): void {
    const p = this.prompt!;
    if (key.escape) {
      this.prompt = null;
      this.setMessage('cancelled');
      return;
    }
    switch (p.kind) {
      case 'extract-path':
      case 'export-path':
        if (key.return) {
          this.prompt = null;
          const value = p.value;
          if (p.kind === 'extract-path') {
            const { path: inImage, layer } = p;
            this.track(resolveTarget(value, inImage, this.cwd).then((t) => this.runExtract(t, inImage, layer, false)));
          } else {
            const format = p.format;
            this.track(
              resolveTarget(value, `layerlens-findings.${EXPORT_EXT[format]}`, this.cwd).then((t) =>
                this.runExport(format, t, false),
              ),
            );
          }
          return;
        }
        p.value = this.editLine(p.value, input, key);
        return;
      case 'extract-overwrite':
      case 'export-overwrite':
        if (input === 'y' || input === 'Y') {
          this.prompt = null;
          if (p.kind === 'extract-overwrite') this.runExtract(p.target, p.path, p.layer, true);
          else this.runExport(p.format, p.target, true);
        } else if (input === 'n' || input === 'N' || key.return) {
          this.prompt = null;
          this.setMessage(`kept ${safeText(p.target)}; nothing written`);
        }
        return;
      case 'export-format': {
        const f: ExportFormat | undefined =
          input === 'j' ? 'json' : input === 's' ? 'sarif' : input === 'm' ? 'markdown' : undefined;
        if (f) this.prompt = { kind: 'export-path', value: `layerlens-findings.${EXPORT_EXT[f]}`, format: f };
        return;
      }
    }
  }

  /**
   * Applying a filter walks every path of the layer once (~100 ms at 500k paths): on big trees
   * it waits until typing pauses for this long, so each keystroke still draws at once.
   */
  filterDelayMs = 0;
  private filterTimer: NodeJS.Timeout | null = null;

  private scheduleFilter(): void {
    if (this.filterDelayMs <= 0 || this.model.tree.nodeCount < 50_000) {
      this.applyFilter(this.filterDraft);
      return;
    }
    if (this.filterTimer) clearTimeout(this.filterTimer);
    this.filterTimer = setTimeout(() => {
      this.filterTimer = null;
      if (this.filterEditing) this.applyFilter(this.filterDraft);
      this.onChange();
    }, this.filterDelayMs);
  }

  private filterKey(input: string, key: KeyInfo): void {
    if (this.filterTimer && (key.escape || key.return || key.downArrow || key.upArrow || key.tab)) {
      clearTimeout(this.filterTimer);
      this.filterTimer = null;
    }
    if (key.escape) {
      this.filterEditing = false;
      this.filterDraft = '';
      this.applyFilter('');
      return;
    }
    if (key.return || key.downArrow || key.upArrow || key.tab) {
      this.filterEditing = false;
      this.applyFilter(this.filterDraft);
      if (key.downArrow) this.tree.down();
      if (key.upArrow) this.tree.up();
      return;
    }
    this.filterDraft = this.editLine(this.filterDraft, input, key);
    this.scheduleFilter();
  }

  /** Apply filter text (the React layer may debounce calls while typing). */
  applyFilter(text: string): void {
    this.tree.setFilter(text);
    this.tree.setHeight(this.layout().treeRows);
  }

  private helpKey(input: string, key: KeyInfo): void {
    if (key.downArrow || input === 'j') this.helpScroll++;
    else if (key.upArrow || input === 'k') this.helpScroll = Math.max(0, this.helpScroll - 1);
    else if (key.escape || input === '?' || input === 'q' || key.return) {
      this.help = false;
      this.helpScroll = 0;
    }
  }

  private viewerKey(input: string, key: KeyInfo): void {
    const v = this.viewer!;
    const rows = this.viewerRows();
    const max = Math.max(0, this.viewerLineCount() - rows);
    if (key.escape || input === 'q' || input === 'v') {
      this.viewer = null;
      return;
    }
    if (input === '?') {
      this.help = true;
      return;
    }
    if (key.downArrow || input === 'j') v.scroll++;
    else if (key.upArrow || input === 'k') v.scroll--;
    else if (key.pageDown || input === ' ') v.scroll += rows - 1;
    else if (key.pageUp) v.scroll -= rows - 1;
    else if (key.home || input === 'g') v.scroll = 0;
    else if (key.end || input === 'G') v.scroll = max;
    else if (key.rightArrow || input === 'l') v.hscroll += 8;
    else if (key.leftArrow || input === 'h') v.hscroll = Math.max(0, v.hscroll - 8);
    else if (input === 'r') {
      this.reveal = !this.reveal;
      this.setMessage(this.reveal ? 'secrets revealed (r hides them again)' : 'secrets masked');
    } else if (input === 'b' && v.doc) {
      v.hex = !v.hex || v.doc.binary;
      v.scroll = 0;
    } else if (input === 'x') this.startExtract();
    v.scroll = Math.max(0, Math.min(max, v.scroll));
  }

  private mainKey(input: string, key: KeyInfo): void {
    if (input === 'q') {
      this.quit = true;
      return;
    }
    if (key.tab) {
      const order: Focus[] = ['layers', 'tree', 'side'];
      const i = order.indexOf(this.focus);
      this.focus = order[(i + (key.shift ? 2 : 1)) % 3];
      return;
    }
    switch (input) {
      case '?':
        this.help = true;
        return;
      case 'a':
        this.tree.toggleMode();
        this.setMessage(
          this.tree.mode === 'changes'
            ? "showing this layer's changes only"
            : 'showing the filesystem as of this layer',
        );
        return;
      case '/':
        this.filterEditing = true;
        this.filterDraft = this.tree.filterText;
        this.focus = 'tree';
        this.tree.setHeight(this.layout().treeRows);
        return;
      case 'n':
        this.jumpToFinding(this.findingIndex + (this.lastJumped ? 1 : 0));
        this.lastJumped = true;
        return;
      case 'N':
        this.jumpToFinding(this.findingIndex - (this.lastJumped ? 1 : 0));
        this.lastJumped = true;
        return;
      case '1':
      case '2':
      case '3':
      case '4': {
        const kind: RowChange = ROW_CHANGES[Number(input) - 1];
        this.tree.toggleKind(kind);
        this.setMessage(`${kind}: ${this.tree.kinds[kind] ? 'shown' : 'hidden'}`);
        return;
      }
      case 's':
        this.tree.setSort(this.tree.sort === 'name' ? 'size' : 'name');
        this.setMessage(`sorted by ${this.tree.sort}`);
        return;
      case 'v':
        if (this.focus === 'tree') this.openViewer();
        return;
      case 'x':
        if (this.focus === 'tree') this.startExtract();
        return;
      case 'e':
        this.prompt = { kind: 'export-format' };
        return;
      case 'r':
        this.reveal = !this.reveal;
        this.setMessage(this.reveal ? 'secrets revealed (r hides them again)' : 'secrets masked');
        return;
      case 'c':
        return this.showSide('history');
      case 'p':
        return this.showSide('ports');
      case 'f':
        return this.showSide('findings');
      case 'i':
        return this.showSide('image');
      case '[':
        return this.selectLayer(this.layer - 1);
      case ']':
        return this.selectLayer(this.layer + 1);
      case '-':
        this.tree.collapseAll();
        return;
      case '+':
      case '=':
        this.tree.expandAll();
        return;
    }
    if (this.focus === 'layers') this.layersKey(input, key);
    else if (this.focus === 'tree') this.treeKey(input, key);
    else this.sideKey(input, key);
  }

  private lastJumped = false;

  private showSide(p: SidePanel): void {
    if (this.side === p && this.focus === 'side') {
      this.focus = 'tree';
      return;
    }
    this.side = p;
    this.sideScroll = 0;
    this.focus = 'side';
  }

  private layersKey(input: string, key: KeyInfo): void {
    const vis = this.layersVisible();
    if (key.downArrow || input === 'j') this.selectLayer(this.layer + 1);
    else if (key.upArrow || input === 'k') this.selectLayer(this.layer - 1);
    else if (key.pageDown) this.selectLayer(this.layer + vis);
    else if (key.pageUp) this.selectLayer(this.layer - vis);
    else if (key.home || input === 'g') this.selectLayer(0);
    else if (key.end || input === 'G') this.selectLayer(this.layerCount - 1);
    else if (key.return || key.rightArrow || input === 'l' || input === ' ') this.focus = 'tree';
  }

  private treeKey(input: string, key: KeyInfo): void {
    const t = this.tree;
    if (key.downArrow || input === 'j') t.down();
    else if (key.upArrow || input === 'k') t.up();
    else if (key.pageDown) t.pageDown();
    else if (key.pageUp) t.pageUp();
    else if (key.home || input === 'g') t.home();
    else if (key.end || input === 'G') t.end();
    else if (key.leftArrow || input === 'h') t.left();
    else if (key.rightArrow || input === 'l') t.right();
    else if (input === ' ') t.toggle();
    else if (key.return) {
      const v = t.cursor ? t.displayVersion(t.cursor) : undefined;
      if (v?.type === 'file') this.openViewer();
      else t.toggle();
    } else if (key.escape && t.filterText) this.applyFilter('');
  }

  private sideKey(input: string, key: KeyInfo): void {
    if (this.side === 'findings') {
      const n = this.findings.length;
      if (key.downArrow || input === 'j') this.findingIndex = Math.min(n - 1, this.findingIndex + 1);
      else if (key.upArrow || input === 'k') this.findingIndex = Math.max(0, this.findingIndex - 1);
      else if (key.pageDown) this.findingIndex = Math.min(n - 1, this.findingIndex + 5);
      else if (key.pageUp) this.findingIndex = Math.max(0, this.findingIndex - 5);
      else if (key.home || input === 'g') this.findingIndex = 0;
      else if (key.end || input === 'G') this.findingIndex = Math.max(0, n - 1);
      else if (key.return) {
        this.jumpToFinding(this.findingIndex);
        this.lastJumped = true;
      }
      return;
    }
    if (key.downArrow || input === 'j') this.sideScroll++;
    else if (key.upArrow || input === 'k') this.sideScroll = Math.max(0, this.sideScroll - 1);
    else if (key.pageDown) this.sideScroll += 5;
    else if (key.pageUp) this.sideScroll = Math.max(0, this.sideScroll - 5);
    else if (key.home || input === 'g') this.sideScroll = 0;
  }

  /** Full command of the selected layer (History panel). */
  layerCommandFull(): string {
    const h = this.model.meta?.history.find((e) => e.layerIndex === this.layer);
    return commandFull(h);
  }

  /** Exported-file default folder (tests). */
  defaultPath(name: string): string {
    return path.join(this.cwd, name);
  }
}
