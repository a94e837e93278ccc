/** Every key binding, for the help overlay (and the README). Plain keys only; no ctrl chords. */
export const HELP: Array<[string, Array<[string, string]>]> = [
  [
    'Everywhere',
    [
      ['q', 'quit (Esc/q closes the viewer or help first)'],
      ['tab / shift-tab', 'focus next / previous panel: layers, tree, side panel'],
      ['?', 'this help'],
      ['[  ]', 'previous / next layer'],
      ['c p f i', 'side panel: command history, ports, findings, image'],
      ['n / N', 'jump to the next / previous finding (layer and file)'],
      ['a', "tree mode: this layer's changes only ⇄ whole filesystem as of this layer"],
      ['/', 'filter paths: substring (smart case) or /regex/; Enter keeps it, Esc clears'],
      ['1 2 3 4', 'show / hide added, modified, removed, unmodified entries'],
      ['s', 'sort by name ⇄ size'],
      ['- / +', 'collapse all / expand all directories'],
      ['r', 'reveal / mask secret values (viewer, history, env)'],
      ['e', 'export findings: JSON, SARIF or Markdown'],
    ],
  ],
  [
    'File tree',
    [
      ['↑ ↓  j k', 'move'],
      ['PgUp PgDn', 'page'],
      ['Home End  g G', 'first / last row'],
      ['← h', 'collapse directory, or go to its parent'],
      ['→ l', 'expand directory, or step into it'],
      ['space', 'toggle directory'],
      ['Enter', 'view file / toggle directory'],
      ['v', "view the file's content (from the layer that holds it, also deleted files)"],
      ['x', 'extract the file to a path you confirm (never overwrites silently)'],
    ],
  ],
  [
    'Layers / side panel',
    [
      ['↑ ↓  j k', 'select layer / scroll, select finding'],
      ['Enter', 'layers: go to the tree · findings: jump to the finding'],
    ],
  ],
  [
    'Viewer',
    [
      ['↑ ↓ PgUp PgDn g G', 'scroll'],
      ['← →  h l', 'scroll sideways'],
      ['b', 'hex ⇄ text'],
      ['r', 'reveal / mask secrets'],
      ['x', 'extract this file'],
      ['Esc q v', 'close'],
    ],
  ],
  [
    'Tree symbols',
    [
      ['+ green', 'added by this layer'],
      ['~ yellow', 'modified by this layer (replaces Ln)'],
      ['- red', 'removed by this layer (from Ln)'],
      ['✗ magenta', 'deleted or overwritten by a LATER layer: still shipped in this one'],
      ['s / S red', 'setuid / setgid in the permission column'],
      ['⚠', 'name holds control characters (shown escaped)'],
    ],
  ],
];
