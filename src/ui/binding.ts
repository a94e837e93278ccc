/**
 * What a key binding is, for the key table (keys.ts) and the side panels that bring keys of their
 * own (panels.ts). One binding gives the dispatch, the status-bar hint and the help line.
 */
import type { Explorer } from './explorer.js';
import type { KeyEvent } from './input.js';

/**
 * Where a binding applies. The active contexts are tried in order (keys.ts activeContexts): an
 * overlay or a text field first, then the focused panel (`panel:ID` for the side panel shown),
 * then `main`, which holds the keys that work everywhere outside overlays.
 */
export type Context =
  | 'main'
  | 'layers'
  | 'tree'
  | 'side'
  | 'viewer'
  | 'help'
  | 'filter'
  | 'prompt-text'
  | 'prompt-confirm'
  | 'prompt-format'
  | 'prompt-side'
  | `panel:${string}`;

export interface Binding {
  /** Key ids as input.ts keyId() writes them: 'j', 'G', 'down', 'S-tab', 'C-c', 'space'. */
  keys: readonly string[];
  /** How help and the status bar name the keys ('↑↓ j k'); default: the keys' own labels. */
  label?: string;
  when: readonly Context[];
  run(ex: Explorer, key: KeyEvent): void;
  /** Status-bar text; omitted: not in the bar. A function for words that depend on the state. */
  hint?: string | ((ex: Explorer) => string);
  /** Kept in the status bar whatever its width, at the right end (help, quit). */
  pin?: boolean;
  /** Help overlay text; omitted: not listed (another entry says it). */
  help?: string;
}

const NAMES: Record<string, string> = {
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  pageup: 'PgUp',
  pagedown: 'PgDn',
  home: 'Home',
  end: 'End',
  enter: 'Enter',
  escape: 'Esc',
  tab: 'Tab',
  space: 'Space',
  backspace: 'Backspace',
  delete: 'Delete',
  insert: 'Insert',
};

/** 'C-f' → 'Ctrl+F', 'S-tab' → 'Shift+Tab', 'pagedown' → 'PgDn', 'j' → 'j'. */
export function keyLabel(id: string): string {
  const m = /^((?:[CMS]-)*)(.+)$/.exec(id)!;
  const mods = m[1]
    .split('-')
    .filter(Boolean)
    .map((c) => ({ C: 'Ctrl+', M: 'Alt+', S: 'Shift+' })[c as 'C' | 'M' | 'S']);
  let name = NAMES[m[2]] ?? m[2];
  if (mods.length && name.length === 1) name = name.toUpperCase();
  else if (mods.length && /^f\d+$/.test(name)) name = name.toUpperCase();
  return mods.join('') + name;
}

export function bindingLabel(b: Binding): string {
  return b.label ?? b.keys.map(keyLabel).join(' ');
}

export function hintText(b: Binding, ex: Explorer): string | undefined {
  return typeof b.hint === 'function' ? b.hint(ex) : b.hint;
}
