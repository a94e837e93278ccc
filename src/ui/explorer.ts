/**
 * The explorer's state and its transitions, without keys, rendering or I/O: which panel has
 * focus, which layer is selected, the tree view, side panel, viewer, prompts, messages. Keys map
 * to these transitions in keys.ts; effects.ts does the asynchronous work (reading a file from a
 * layer, writing an extract or an export) and reports back through `track`/`onChange`;
 * render-screen.ts draws the state; layout.ts gives the geometry.
 */
import type { ImageModel } from '../engine/image.js';
import { drain, resultFor, SLICE_MS, type Steps } from '../engine/steps.js';
import type { MergedTree } from '../findings/compare/merged-tree.js';
import type { ChangeStats, FileTree } from '../engine/tree.js';
import type { SecretScanSummary } from '../findings/secrets/stats.js';
import type { Finding } from '../findings/types.js';
import { packageLocations, type VulnerablePackage, vulnerablePackages } from '../findings/vulnerabilities/groups.js';
import { safeText } from '../text/safe-text.js';
import {
  type CompareInput,
  type CompareState,
  compareFindings,
  compareState,
  isResolved,
  refreshRows,
  rowOf,
  type Side,
} from './compare-state.js';
import type { ExportFormat } from './export.js';
import { computeLayout, type Layout } from './layout.js';
import { Background, isSteps } from './background.js';
import { SizeIndex } from './sizes.js';
import { type FilterBuild, TreeView } from './tree-view.js';
import { displayText, hexLineCount, type ViewerDoc } from './viewer.js';

export type Focus = 'layers' | 'tree' | 'side';
export const FOCUS_ORDER: readonly Focus[] = ['layers', 'tree', 'side'];

/**
 * Nodes from which a tree is big: a text filter is applied once typing pauses, and its walk (one
 * pass over the layer's paths, ~50 ms per 500k) runs in slices (background.ts SLICE_MS).
 */
const BIG_TREE = 50_000;

export interface ViewerState {
  path: string;
  layer: number;
  loading: boolean;
  error?: string;
  doc?: ViewerDoc;
  hex: boolean;
  scroll: number;
  hscroll: number;
  /** Display lines, cached for the reveal setting they were made with. */
  lines?: string[];
  masked?: number;
  linesRevealed?: boolean;
}

export type Prompt =
  /** `side`: in the compare view, the image the file is read from. */
  | { kind: 'extract-path'; value: string; path: string; layer: number; side?: Side }
  | { kind: 'extract-overwrite'; target: string; path: string; layer: number; side?: Side }
  /** The compare view: a file both images hold differently, which version to extract. */
  | { kind: 'extract-side'; sides: Array<{ side: Side; layer: number; path: string }> }
  | { kind: 'export-format' }
  | { kind: 'export-path'; value: string; format: ExportFormat }
  | { kind: 'export-overwrite'; target: string; format: ExportFormat };

export interface Message {
  text: string;
  kind: 'info' | 'error' | 'ok';
}

export interface ExplorerOptions {
  model: ImageModel;
  /** Findings while the image loads (and when the full checks are not wired). */
  early?: (model: ImageModel) => Finding[] | Steps<Finding[]>;
  /**
   * Findings of the full checks; called once the image is loaded. A promise when they need work
   * of their own first (opening the vulnerability database): the early findings stay until then.
   */
  findings?: () => Finding[] | Promise<Finding[]>;
  /** Puts findings in the order every view shows them. */
  sort?: (fs: Finding[]) => Finding[];
  /** What the secret scan read (the Image panel says so once the full findings are in). */
  secretScan?: () => SecretScanSummary | undefined;
  /** Compare two images (`layerlens OLD NEW`): `model` is then the new one. */
  compare?: CompareInput;
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
  /** The file tree shown: the model's, or in the compare view the two images' merged tree. */
  tree: TreeView;
  /** The compare view's state (two images), or null for one image. */
  readonly compare: CompareState | null;
  readonly title?: string;
  readonly cwd: string;
  width: number;
  height: number;

  focus: Focus = 'tree';
  /** The side panel shown (an id of the panel registry, panels.ts). */
  side = 'history';
  layer = 0;
  /** First layer row on screen in the Layers box. */
  layerTop = 0;
  sideScroll = 0;
  findingIndex = 0;
  findings: Finding[] = [];
  findingsFinal = false;
  /** The full checks are running (asynchronously): the list is still the early one. */
  findingsPending = false;
  /** The package selected in the Vulnerabilities panel (index into vulnerablePackages). */
  vulnIndex = 0;
  /** Columns the divider was moved by (`<` / `>`). */
  splitDelta = 0;
  /** `n`/`N` were used: the next press moves on from the current finding. */
  lastJumped = false;
  /** The user selected or jumped to a finding (kept across refreshes of the list). */
  findingChosen = false;

  filterEditing = false;
  filterDraft = '';
  reveal = false;
  help = false;
  helpScroll = 0;
  viewer: ViewerState | null = null;
  prompt: Prompt | null = null;
  message: Message | null = null;
  quit = false;
  /** Repaint the whole screen on the next frame (Ctrl+L). */
  redraw = false;
  /** Byte samples for the progress rate. */
  readonly samples: RateSample[] = [];
  /** When the explorer opened (how long a source has made us wait). */
  readonly startedAt = Date.now();
  /**
   * Applying a filter walks every path of the layer once (~100 ms at 500k paths): on big trees
   * it waits until typing pauses for this long, so each keystroke still draws at once (and the
   * walk then runs in slices: applyFilter).
   */
  filterDelayMs = 0;
  /** Called when asynchronous work changed the state. */
  onChange: () => void = () => {};

  private readonly earlyFn?: (model: ImageModel) => Finding[] | Steps<Finding[]>;
  /** What the secret scan read, when the checks are wired (see ExplorerOptions.secretScan). */
  readonly secretScan?: () => SecretScanSummary | undefined;
  private readonly findingsFn?: () => Finding[] | Promise<Finding[]>;
  private readonly sortFn: (fs: Finding[]) => Finding[];
  private readonly statsCache = new Map<number, ChangeStats>();
  private readonly hidesCache = new Map<number, boolean>();
  private readonly pending = new Set<Promise<unknown>>();
  private filterTimer: NodeJS.Timeout | null = null;
  private filterBuild: FilterBuild | null = null;
  // Work in slices between keys (background.ts): the pending filter's walk (a newer text or a
  // cleared filter leaves it nothing to do), the view on screen, the layers' directory sizes.
  private readonly filterWork = new Background(
    () => this.filterSlice(),
    () => this.onChange(),
    () => this.quit,
  );
  private readonly viewWork = new Background(
    () => this.tree.buildStep(SLICE_MS),
    () => this.onChange(),
    () => this.quit,
  );
  private readonly foldWork = new Background(
    () => this.tree.sizes.catchUpFor(this.tree.tree.layerCount, SLICE_MS),
    () => {},
    () => this.quit,
  );
  /**
   * The early findings being made in slices (earlyWork), and the time their slices took so far;
   * `lastEarlyMs`: the time the last ones took in all (the session spaces them by it).
   */
  private earlyBuild: Steps<Finding[]> | null = null;
  private earlySpentMs = 0;
  lastEarlyMs = 0;
  private readonly earlyWork = new Background(
    () => this.earlySlice(),
    () => this.onChange(),
    () => this.quit,
  );
  /** Layers whose layerHides is being worked out in slices, in order, and the first one's walk. */
  private hidesQueue: number[] = [];
  private hidesWalk: Steps<boolean> | null = null;
  private readonly hidesWork = new Background(
    () => this.hidesSlice(),
    () => this.onChange(),
    () => this.quit,
  );
  /** The filter text whose view is being built in slices (shown as such), if any. */
  filterPending: string | null = null;

  constructor(opts: ExplorerOptions) {
    this.compare = opts.compare ? compareState(opts.compare) : null;
    this.model = opts.compare ? opts.compare.new : opts.model;
    this.title = opts.title;
    this.cwd = opts.cwd ?? process.cwd();
    this.earlyFn = opts.early;
    this.secretScan = opts.secretScan;
    this.findingsFn = opts.findings;
    this.sortFn = opts.sort ?? ((fs) => fs);
    this.width = opts.width ?? 100;
    this.height = opts.height ?? 30;
    this.tree = new TreeView({ tree: this.model.tree, sizes: new SizeIndex(this.model.tree) });
    this.sliceTreeWalks();
    this.refreshFindings();
    this.tree.setLayer(0);
    this.tree.setHeight(this.layout().treeRows);
  }

  // ---- asynchronous work ---------------------------------------------------------------------

  /** Resolves when every asynchronous action started so far has finished (tests). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Follow a promise of effects.ts: the screen is redrawn when it settles. */
  track<T>(p: Promise<T>): void {
    const q = p.finally(() => {
      this.pending.delete(q);
      this.onChange();
    });
    q.catch(() => {}); // (its own handlers report failures)
    this.pending.add(q);
  }

  // ---- model ---------------------------------------------------------------------------------

  get layerCount(): number {
    if (this.compare) return this.compare.rows.length;
    return Math.max(this.model.layers.length, this.model.meta?.layers.length ?? 0, this.model.tree.layerCount);
  }

  /** The images being read: one, or the two of the compare view. */
  get models(): ImageModel[] {
    return this.compare ? [this.compare.old, this.compare.new] : [this.model];
  }

  /** An image could not be read to the end: what needs every layer (the full checks) never comes. */
  get loadFailed(): boolean {
    return this.models.some((m) => !!m.error);
  }

  /** The compare view's comparison is there: the tree shows the merged filesystems. */
  get compared(): boolean {
    return !!this.compare?.merged;
  }

  /** The compare view, once compared: the file tree switches to the merged filesystems (NEW over OLD). */
  showComparison(merged: MergedTree): void {
    this.tree = new TreeView({ tree: merged.tree, sizes: new SizeIndex(merged.tree) });
    this.sliceTreeWalks();
    this.tree.setMode('changes');
    this.tree.setLayer(merged.newLayer);
    this.tree.setHeight(this.layout().treeRows);
    this.refreshFindings();
  }

  /** Change counters of an applied layer (layers never change once applied: cached). */
  layerStats(i: number): ChangeStats | undefined {
    if (i >= this.model.tree.layerCount) return undefined;
    let s = this.statsCache.get(i);
    if (!s) this.statsCache.set(i, (s = this.model.tree.stats(i)));
    return s;
  }

  /**
   * Does layer `i` delete or overwrite files of lower layers? (cached) Worked out at once for a
   * layer of up to BIG_TREE changes; for a bigger one (a walk of 2M changes: ~80 ms) in slices
   * between keys, and false until known (the mark then appears).
   */
  layerHides(i: number): boolean {
    if (i >= this.model.tree.layerCount) return false;
    const h = this.hidesCache.get(i);
    if (h !== undefined) return h;
    const changes = this.model.tree.changesByLayer[i];
    if (changes.length <= BIG_TREE) {
      const hides = drain(hidesSteps(this.model.tree, i));
      this.hidesCache.set(i, hides);
      return hides;
    }
    if (!this.hidesQueue.includes(i)) {
      this.hidesQueue.push(i);
      this.hidesWork.start();
    }
    return false;
  }

  /** A slice of the walks for layerHides; true once the queue is empty. */
  private hidesSlice(): boolean {
    const end = performance.now() + SLICE_MS;
    for (let i = this.hidesQueue[0]; i !== undefined; i = this.hidesQueue[0]) {
      this.hidesWalk ??= hidesSteps(this.model.tree, i);
      const r = resultFor(this.hidesWalk, end - performance.now());
      if (!r) return false;
      this.hidesCache.set(i, r.value);
      this.hidesQueue.shift();
      this.hidesWalk = null;
    }
    return true;
  }

  /** New data from the model (layer applied, progress): keep the views consistent. */
  sync(now = Date.now()): void {
    if (this.compare) {
      refreshRows(this.compare);
      if (this.layer >= this.layerCount) this.layer = Math.max(0, this.layerCount - 1);
    }
    const read = this.bytesRead();
    const last = this.samples[this.samples.length - 1];
    if (!last || now - last.t >= 100) this.samples.push({ t: now, bytes: read });
    while (this.samples.length > 2 && now - this.samples[0].t > 3000) this.samples.shift();
    this.tree.refresh();
    this.foldWork.start();
  }

  /** Bytes read from the source so far: its own counter when it has one, else the layers'. */
  bytesRead(): number {
    let n = 0;
    for (const m of this.models) {
      const p = m.sourceProgress;
      const layers = m.layers.reduce((s, l) => s + (l.bytesRead || 0), 0);
      n += p ? Math.max(p.bytesRead, layers) : layers;
    }
    return n;
  }

  /** Bytes per second over the last few seconds of samples (0 when unknown). */
  rate(): number {
    const s = this.samples;
    if (s.length < 2) return 0;
    const a = s[0];
    const b = s[s.length - 1];
    return b.t > a.t ? ((b.bytes - a.bytes) * 1000) / (b.t - a.t) : 0;
  }

  /** Recompute findings: the early subset while loading, the full checks once loaded. */
  refreshFindings(): void {
    const done = this.compare ? !!this.compare.result : this.model.done;
    if (this.findingsPending) return; // the full checks will replace the list when they finish
    let list: Finding[] | Promise<Finding[]> | undefined;
    try {
      // The compare view lists what NEW introduces and resolves, once both images are compared.
      if (this.compare) list = this.compare.result ? compareFindings(this.compare.result, this.sortFn) : [];
      else if (done && this.findingsFn) list = this.findingsFn();
      else if (this.earlyFn) {
        const early = this.earlyFn(this.model);
        if (isSteps(early)) return this.startEarly(early);
        list = early;
      }
    } catch (err) {
      this.setMessage(`findings failed: ${safeText((err as Error).message)}`, 'error');
    }
    if (list instanceof Promise) {
      this.findingsPending = true;
      // Until they arrive, the early findings (an image that was loaded before the explorer opened
      // has none yet).
      if (!this.findings.length && this.earlyFn) {
        const early = this.earlyFn(this.model);
        if (isSteps(early)) this.startEarly(early);
        else this.setFindings(early, false);
      }
      this.track(
        list.then(
          (l) => {
            this.findingsPending = false;
            this.setFindings(l, true);
          },
          (err: Error) => {
            this.findingsPending = false;
            this.setMessage(`findings failed: ${safeText(err?.message ?? String(err))}`, 'error');
          },
        ),
      );
      return;
    }
    this.setFindings(list ?? [], done && (!!this.findingsFn || !!this.compare));
  }

  /**
   * Make the early findings in slices between keys (at two million paths they take 0.2–0.45 s).
   * One build at a time: one under way is left to finish (the next refresh comes after it).
   */
  private startEarly(steps: Steps<Finding[]>): void {
    if (this.earlyBuild) return;
    this.earlyBuild = steps;
    this.earlySpentMs = 0;
    this.earlyWork.start();
  }

  /** A slice of the early findings; true once they are made (and listed, unless the full checks were). */
  private earlySlice(): boolean {
    const steps = this.earlyBuild;
    if (!steps) return true;
    const start = performance.now();
    let r: IteratorReturnResult<Finding[]> | undefined;
    try {
      r = resultFor(steps, SLICE_MS);
    } catch (err) {
      this.earlyBuild = null;
      this.setMessage(`findings failed: ${safeText((err as Error).message)}`, 'error');
      return true;
    }
    this.earlySpentMs += performance.now() - start;
    if (!r) return false;
    this.earlyBuild = null;
    this.lastEarlyMs = this.earlySpentMs;
    // (The full checks' list, once there, stands.)
    if (!this.findingsFinal) this.setFindings(r.value, false);
    return true;
  }

  private setFindings(list: Finding[], final: boolean): void {
    // The finding the user chose stays selected (found again by its id); until they choose one,
    // the selection is the first (most severe) finding of the new list.
    const keep = this.findingChosen ? this.findings[this.findingIndex]?.id : undefined;
    this.findings = this.compare ? list : this.sortFn(list);
    this.findingsFinal = final;
    const i = keep ? this.findings.findIndex((f) => f.id === keep) : -1;
    this.findingIndex = i >= 0 ? i : keep ? Math.min(this.findingIndex, Math.max(0, this.findings.length - 1)) : 0;
  }

  // ---- geometry ------------------------------------------------------------------------------

  resize(width: number, height: number): void {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.relayout();
  }

  layout(): Layout {
    return computeLayout({
      width: this.width,
      height: this.height,
      layerCount: this.layerCount,
      filterLine: this.filterLineShown,
      splitDelta: this.splitDelta,
      sideShown: this.focus === 'side',
    });
  }

  /** After anything that changes the geometry: the tree's page follows. */
  relayout(): void {
    this.tree.setHeight(this.layout().treeRows);
  }

  /** Move the divider between the left column and the tree (`<` / `>`). */
  moveSplit(delta: number): void {
    const before = this.layout();
    this.splitDelta += delta;
    const after = this.layout();
    // Stop where the layout stops moving (both sides have a minimum).
    if (after.layers.width === before.layers.width) this.splitDelta -= delta;
    this.relayout();
  }

  layersVisible(): number {
    return this.layout().layerRows;
  }

  // ---- messages ------------------------------------------------------------------------------

  setMessage(text: string, kind: Message['kind'] = 'info'): void {
    this.message = { text, kind };
  }

  // ---- focus, layers, side panel ---------------------------------------------------------------

  setFocus(f: Focus): void {
    this.focus = f;
    this.relayout();
  }

  cycleFocus(step: 1 | -1): void {
    const i = FOCUS_ORDER.indexOf(this.focus);
    this.setFocus(FOCUS_ORDER[(i + step + FOCUS_ORDER.length) % FOCUS_ORDER.length]);
  }

  selectLayer(i: number): void {
    const n = this.layerCount;
    if (n === 0) return;
    this.layer = Math.max(0, Math.min(n - 1, i));
    const vis = this.layersVisible();
    if (this.layer < this.layerTop) this.layerTop = this.layer;
    if (this.layer >= this.layerTop + vis) this.layerTop = this.layer - vis + 1;
    this.layerTop = Math.max(0, Math.min(this.layerTop, Math.max(0, n - vis)));
    this.sideScroll = 0;
    // (The compare view's tree shows the merged filesystems, whichever layer row is selected.)
    if (!this.compare) this.tree.setLayer(this.layer);
  }

  /** Show side panel `id`; pressing its key again while it has focus goes back to the tree. */
  showSide(id: string): void {
    if (this.side === id && this.focus === 'side') {
      this.setFocus('tree');
      return;
    }
    this.side = id;
    this.sideScroll = 0;
    this.setFocus('side');
  }

  scrollSide(delta: number): void {
    this.sideScroll = Math.max(0, this.sideScroll + delta);
  }

  // ---- findings ------------------------------------------------------------------------------

  selectFinding(i: number): void {
    this.findingChosen = true;
    const n = this.findings.length;
    this.findingIndex = n === 0 ? 0 : Math.max(0, Math.min(n - 1, i));
  }

  /** Jump to finding `i` (wrapping): its layer, and its file when it has one. */
  jumpToFinding(i: number): void {
    const n = this.findings.length;
    if (n === 0) {
      this.setMessage(this.model.done ? 'no findings' : 'no findings yet (the image is still loading)');
      return;
    }
    this.findingIndex = ((i % n) + n) % n;
    this.lastJumped = true;
    this.findingChosen = true;
    const f = this.findings[this.findingIndex];
    const label = `finding ${this.findingIndex + 1}/${n} [${f.severity}]: ${safeText(f.title)}`;
    if (this.compare) {
      this.jumpInComparison(f, label);
      return;
    }
    if (f.layerIndex !== null && f.layerIndex < this.layerCount) {
      this.selectLayer(f.layerIndex);
      if (f.path) {
        const ok = this.tree.reveal(f.path, f.layerIndex);
        this.setFocus('tree');
        // A copy its own layer superseded (deleted in the layer that added it) is in no file
        // system: the tree shows what replaced it, if anything; the finding names its tar entry.
        const entry = f.properties?.entry;
        const how =
          typeof entry === 'number' ? `; layerlens extract … --layer ${f.layerIndex} --entry ${entry} writes it` : '';
        if (f.properties?.refusedEntry !== undefined)
          this.setMessage(`${label} (in no file system: container runtimes refuse to unpack its entry${how})`);
        else if (f.deletedInLayerIndex === f.layerIndex)
          this.setMessage(`${label} (not in the layer's file system: a later entry of the layer replaced it${how})`);
        else this.setMessage(ok ? label : `${label} (path not in the tree yet)`);
        return;
      }
    }
    if (f.category === 'port') this.showPanelKeepFocus('ports');
    else if (!f.path && f.layerIndex === null) this.showPanelKeepFocus('findings');
    this.setMessage(label);
  }

  /** The compare view: the finding's layer row (its image's), and its path in the merged tree. */
  private jumpInComparison(f: Finding, label: string): void {
    const c = this.compare!;
    const side: Side = isResolved(f) ? 'old' : 'new';
    if (f.layerIndex !== null) {
      const row = rowOf(c, side, f.layerIndex);
      if (row >= 0) this.selectLayer(row);
    }
    if (f.path && c.merged) {
      const ok = this.tree.reveal(f.path, c.merged.newLayer);
      this.setFocus('tree');
      this.setMessage(ok ? label : `${label} (not in either final filesystem: in a layer only)`);
      return;
    }
    if (!f.path) this.showPanelKeepFocus('findings');
    this.setMessage(label);
  }

  // ---- vulnerabilities ------------------------------------------------------------------------

  /** The packages the Vulnerabilities panel lists (grouped from the findings; cached per list). */
  vulnerablePackages(): VulnerablePackage[] {
    return vulnerablePackages(this.findings);
  }

  selectVulnerable(i: number): void {
    const n = this.vulnerablePackages().length;
    this.vulnIndex = n === 0 ? 0 : Math.max(0, Math.min(n - 1, i));
  }

  /**
   * Go to the layer that brought the selected vulnerable package in, and to its files in the tree
   * (its own directory, its dpkg file list, or the file it was found in).
   */
  jumpToVulnerable(i = this.vulnIndex): void {
    const pkgs = this.vulnerablePackages();
    if (!pkgs.length) {
      this.setMessage(
        this.findingsFinal
          ? 'no vulnerable packages'
          : this.loadFailed
            ? 'vulnerabilities: not checked (the image was not read completely)'
            : 'vulnerabilities: once every layer is in',
      );
      return;
    }
    this.selectVulnerable(i);
    const p = pkgs[this.vulnIndex];
    const n = p.vulns.length;
    const label = `${safeText(p.name)} ${safeText(p.version)}: ${n} known vulnerabilit${n === 1 ? 'y' : 'ies'} [${p.worst}]`;
    if (p.layer === null || p.layer >= this.layerCount) {
      this.setMessage(label);
      return;
    }
    this.selectLayer(p.layer);
    const layer = p.layer;
    const where = packageLocations(p).find((path) => !!this.model.tree.lookupPath(path)?.liveAt(layer));
    if (where && this.tree.reveal(where, layer)) {
      const c = this.tree.cursor;
      if (c && this.tree.displayVersion(c)?.type === 'dir' && !this.tree.isExpanded(c)) this.tree.right();
      this.setFocus('tree');
      this.setMessage(`${label}, layer ${layer}: ${safeText(where)}`);
      return;
    }
    this.setFocus('tree');
    this.setMessage(`${label}, layer ${layer} (its files are not in the tree)`);
  }

  /** `n` / `N`: the next or previous finding (the first press stays on the selected one). */
  nextFinding(step: 1 | -1): void {
    this.jumpToFinding(this.findingIndex + (this.lastJumped ? step : 0));
  }

  private showPanelKeepFocus(id: string): void {
    this.side = id;
    this.sideScroll = 0;
  }

  // ---- tree ----------------------------------------------------------------------------------

  startFilter(): void {
    this.filterEditing = true;
    this.filterDraft = this.tree.filterText;
    this.setFocus('tree');
  }

  /** The tree panel ends in the filter's line: one is being typed, applied or in use. */
  get filterLineShown(): boolean {
    return this.filterEditing || this.tree.filterText !== '' || !!this.filterPending;
  }

  /**
   * Apply filter text: at once on a small tree; on a big one its walk runs a slice per turn of the
   * event loop (`filterSlice`), keys and frames in between, and the view changes when it is done
   * (`filterPending` meanwhile). The same text already underway goes on.
   */
  applyFilter(text: string): void {
    this.cancelFilterTimer();
    if (this.filterBuild && this.filterPending === text) return;
    this.cancelFilterBuild();
    const build = this.tree.prepareFilter(text);
    if (!build) {
      this.tree.setFilter(text);
      this.relayout();
      return;
    }
    this.filterBuild = build;
    this.filterPending = text;
    this.filterWork.start();
    this.relayout(); // (the filter line shows the text being applied)
  }

  /**
   * Build the pending filter's view for about `budgetMs`; true once it is applied (or when none is
   * pending). (Were the layer, mode or kinds changed meanwhile, the view for them is then built in
   * slices of its own: TreeView.buildInSlicesFrom.)
   */
  filterSlice(budgetMs = SLICE_MS): boolean {
    const build = this.filterBuild;
    if (!build || this.filterPending === null) return true;
    if (!build.step(budgetMs)) return false;
    const text = this.filterPending;
    this.filterBuild = null;
    this.filterPending = null;
    this.tree.setFilter(text);
    this.relayout();
    return true;
  }

  /** Big trees: the tree view's walks in slices (TreeView.buildInSlicesFrom), run from here. */
  private sliceTreeWalks(): void {
    this.tree.buildInSlicesFrom = BIG_TREE;
    this.tree.onBuilding = () => this.viewWork.start();
  }

  private cancelFilterBuild(): void {
    this.filterBuild = null;
    this.filterPending = null;
  }

  /** The draft changed while typing: apply it now, or once typing pauses on big trees. */
  filterDraftChanged(): void {
    if (this.filterDelayMs <= 0 || this.tree.tree.nodeCount < BIG_TREE) {
      this.applyFilter(this.filterDraft);
      return;
    }
    this.cancelFilterTimer();
    // (A build of an earlier draft is not wanted any more.)
    if (this.filterPending !== this.filterDraft) this.cancelFilterBuild();
    this.filterTimer = setTimeout(() => {
      this.filterTimer = null;
      if (this.filterEditing) this.applyFilter(this.filterDraft);
      this.onChange();
    }, this.filterDelayMs);
  }

  /** Leave the filter field: keep the text (`keep`) or clear it. */
  endFilter(keep: boolean): void {
    this.filterEditing = false;
    if (!keep) this.filterDraft = '';
    this.applyFilter(keep ? this.filterDraft : '');
  }

  private cancelFilterTimer(): void {
    if (this.filterTimer) clearTimeout(this.filterTimer);
    this.filterTimer = null;
  }

  toggleReveal(): void {
    this.reveal = !this.reveal;
    this.setMessage(this.reveal ? 'secrets revealed (r masks them again)' : 'secrets masked');
  }

  // ---- viewer --------------------------------------------------------------------------------

  /** Display lines of the open text viewer (cached; masking depends on reveal). */
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

  /** Rows of content the viewer shows (the body minus its borders). */
  viewerRows(): number {
    return Math.max(1, this.layout().body.height - 2);
  }

  scrollViewer(to: number): void {
    const v = this.viewer;
    if (!v) return;
    const max = Math.max(0, this.viewerLineCount() - this.viewerRows());
    v.scroll = Math.max(0, Math.min(max, to));
  }

  closeViewer(): void {
    this.viewer = null;
  }

  toggleHex(): void {
    const v = this.viewer;
    if (!v?.doc) return;
    // Binary content has no text view.
    v.hex = !v.hex || v.doc.binary;
    v.scroll = 0;
    if (v.doc.binary && v.hex) this.setMessage('binary content: hex only');
  }

  // ---- help ----------------------------------------------------------------------------------

  openHelp(): void {
    this.help = true;
    this.helpScroll = 0;
  }

  closeHelp(): void {
    this.help = false;
    this.helpScroll = 0;
  }

  /** Scroll the help overlay; render-screen clamps to its length. */
  scrollHelp(to: number): void {
    this.helpScroll = Math.max(0, to);
  }
}

/**
 * Whether `layer` deleted or overwrote something of the layers below it that is not a directory
 * (its changes that are not additions), a step every 4,096 changes; stops at the first.
 */
function* hidesSteps(tree: FileTree, layer: number): Steps<boolean> {
  const changes = tree.changesByLayer[layer];
  for (let i = 0; i < changes.length; i++) {
    if (i % 4096 === 4095) yield;
    const v = changes.at(i).versionIn(layer);
    if (v && v.change !== 'added' && v.type !== 'dir') return true;
  }
  return false;
}
