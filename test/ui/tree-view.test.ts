import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadLayers } from '../support/image.js';
import type { TreeNode } from '../../src/engine/tree.js';
import { parseFilter, TreeView } from '../../src/ui/tree-view.js';

// L0: a small filesystem; L1: adds, modifies, removes; L2: deletes the key L1 added.
async function sample() {
  const model = await loadLayers([
    {
      entries: [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/passwd', content: 'root:x:0:0\n' },
        { name: 'etc/hosts', content: '127.0.0.1 localhost\n' },
        { name: 'usr/', type: 'directory' },
        { name: 'usr/bin/', type: 'directory' },
        ...Array.from({ length: 30 }, (_, i) => ({
          name: `usr/bin/tool${String(i).padStart(2, '0')}`,
          content: 'x'.repeat(i + 1),
        })),
        { name: 'usr/bin/big', content: 'y'.repeat(5000) },
      ],
    },
    {
      entries: [
        { name: 'etc/hosts', content: '10.0.0.1 db\n' },
        { name: 'root/', type: 'directory', mode: 0o700 },
        { name: 'root/.ssh/', type: 'directory' },
        { name: 'root/.ssh/id_rsa', content: 'KEY', mode: 0o600 },
        { name: 'usr/bin/.wh.tool00' },
      ],
    },
    { entries: [{ name: 'root/.ssh/.wh.id_rsa' }] },
  ]);
  const view = new TreeView({ tree: model.tree });
  view.setHeight(10);
  return { model, view };
}

const names = (v: TreeView) => v.rows().map((r) => r.node.path);

test('aggregated view: sorted rows, a window of `height` rows, cursor and scrolling', async () => {
  const { view } = await sample();
  view.setLayer(0);
  assert.deepEqual(names(view).slice(0, 5), ['/etc', '/etc/hosts', '/etc/passwd', '/usr', '/usr/bin']);
  assert.equal(view.rows().length, 10);
  assert.equal(view.cursor?.path, '/etc');
  view.down(3);
  assert.equal(view.cursor?.path, '/usr');
  assert.equal(view.cursorRow, 3);
  view.down(20);
  assert.equal(view.cursor?.path, '/usr/bin/tool17'); // rows: etc hosts passwd usr bin big tool00…
  assert.equal(view.cursorRow, 9, 'cursor stays on the last row while the window scrolls');
  assert.equal(names(view)[9], '/usr/bin/tool17');
  view.up(1);
  assert.equal(view.cursorRow, 8);
  view.end();
  assert.equal(view.cursor?.path, '/usr/bin/tool29');
  assert.equal(names(view).length, 10);
  view.home();
  assert.equal(view.cursor?.path, '/etc');
  view.pageDown();
  assert.equal(view.cursor?.path, '/usr/bin/tool03');
  view.pageUp();
  assert.equal(view.cursor?.path, '/etc');
});

test('collapse and expand: one, all, and the state survives layer switches', async () => {
  const { view } = await sample();
  view.setLayer(0);
  view.down(4); // /usr/bin
  assert.equal(view.cursor?.path, '/usr/bin');
  view.left(); // collapse
  assert.deepEqual(names(view), ['/etc', '/etc/hosts', '/etc/passwd', '/usr', '/usr/bin']);
  const row = view.rows().find((r) => r.node.path === '/usr/bin')!;
  assert.equal(row.expanded, false);
  view.left(); // on a collapsed dir: go to parent
  assert.equal(view.cursor?.path, '/usr');
  view.setLayer(1);
  assert.ok(!names(view).includes('/usr/bin/tool01'), 'still collapsed in layer 1');
  view.setLayer(0);
  view.down();
  view.right(); // expand
  assert.ok(names(view).includes('/usr/bin/tool01'));
  view.toggle();
  assert.ok(!names(view).includes('/usr/bin/tool01'));
  view.expandAll();
  assert.ok(names(view).includes('/usr/bin/tool01'));
  view.collapseAll();
  assert.deepEqual(names(view), ['/etc', '/usr']);
});

test('changes mode shows only the layer change set with ancestors, marked by kind', async () => {
  const { view } = await sample();
  view.setLayer(1);
  view.setMode('changes');
  const rows = view.rows();
  const byPath = Object.fromEntries(rows.map((r) => [r.node.path, r]));
  assert.deepEqual(Object.keys(byPath), [
    '/etc',
    '/etc/hosts',
    '/root',
    '/root/.ssh',
    '/root/.ssh/id_rsa',
    '/usr',
    '/usr/bin',
    '/usr/bin/tool00',
  ]);
  assert.equal(byPath['/etc/hosts'].change, 'modified');
  assert.equal(byPath['/etc/hosts'].fromLayer, 0);
  assert.equal(byPath['/usr/bin/tool00'].change, 'removed');
  assert.equal(byPath['/usr/bin/tool00'].fromLayer, 0);
  assert.equal(byPath['/root/.ssh/id_rsa'].change, 'added');
  assert.deepEqual(byPath['/root/.ssh/id_rsa'].hiddenBy, { layer: 2, how: 'deleted' });
  assert.equal(byPath['/etc'].context, true);
  assert.equal(byPath['/etc/hosts'].context, false);
  // Layer 0's hosts is overwritten later: flagged in layer 0's aggregated view.
  view.setMode('aggregated');
  view.setLayer(0);
  const hosts = view.rows().find((r) => r.node.path === '/etc/hosts')!;
  assert.deepEqual(hosts.hiddenBy, { layer: 1, how: 'overwritten' });
  // Aggregated view of layer 1 shows its removal as a row, and layer 2 no longer has it.
  view.setLayer(1);
  view.expandAll();
  assert.ok(view.rows().length > 0);
  view.setHeight(100);
  assert.equal(view.rows().find((r) => r.node.path === '/usr/bin/tool00')?.change, 'removed');
  view.setLayer(2);
  assert.equal(
    view.rows().find((r) => r.node.path === '/usr/bin/tool00'),
    undefined,
  );
});

test('filter: substring with ancestors, /regex/, bad regex reported and not applied', async () => {
  const { view } = await sample();
  view.setHeight(100);
  view.setLayer(1);
  view.setFilter('id_rsa');
  assert.deepEqual(names(view), ['/root', '/root/.ssh', '/root/.ssh/id_rsa']);
  view.setFilter('/tool0[12]$/');
  assert.deepEqual(names(view), ['/usr', '/usr/bin', '/usr/bin/tool01', '/usr/bin/tool02']);
  view.setFilter('/tool(/');
  assert.match(view.filterError ?? '', /not a valid regex/);
  assert.ok(names(view).length > 10, 'a bad regex does not hide everything');
  view.setFilter('NOPE-NOT-THERE');
  assert.deepEqual(names(view), []);
  view.setFilter('');
  assert.ok(names(view).includes('/etc/passwd'));
  assert.equal(parseFilter('ETC').match!('/etc'), false, 'upper case makes it case-sensitive');
  assert.equal(parseFilter('etc').match!('/ETC'), true);
});

test('kinds toggles and sorting by size', async () => {
  const { view } = await sample();
  view.setHeight(100);
  view.setLayer(1);
  view.toggleKind('unmodified');
  assert.deepEqual(names(view), [
    '/etc',
    '/etc/hosts',
    '/root',
    '/root/.ssh',
    '/root/.ssh/id_rsa',
    '/usr',
    '/usr/bin',
    '/usr/bin/tool00',
  ]);
  view.toggleKind('removed');
  assert.ok(!names(view).includes('/usr/bin/tool00'));
  view.toggleKind('removed');
  view.toggleKind('unmodified');
  view.setLayer(0);
  view.setSort('size');
  const bin = names(view).filter((p) => p.startsWith('/usr/bin/'));
  assert.equal(bin[0], '/usr/bin/big');
  assert.equal(bin[1], '/usr/bin/tool29');
  assert.equal(names(view)[0], '/usr', 'the bigger directory first');
  const usr = view.rows().find((r) => r.node.path === '/usr')!;
  assert.equal(usr.size, 5000 + (30 * 31) / 2);
});

test('reveal() jumps to a path, expanding ancestors and clearing what hides it', async () => {
  const { view } = await sample();
  view.setLayer(0);
  view.collapseAll();
  view.setFilter('passwd');
  assert.ok(view.reveal('/usr/bin/tool07', 0));
  assert.equal(view.cursor?.path, '/usr/bin/tool07');
  assert.equal(view.filterText, '');
  view.setMode('changes');
  assert.ok(view.reveal('/root/.ssh/id_rsa', 1));
  assert.equal(view.cursor?.path, '/root/.ssh/id_rsa');
  assert.ok(view.rows().some((r) => r.selected && r.node.path === '/root/.ssh/id_rsa'));
  assert.equal(view.reveal('/does/not/exist', 1), false);
});

test('every kind setting in both modes shows what the definition says, with and without a filter', async () => {
  // Shapes that decide what a hidden kind leaves as context: a directory written again over
  // children the layer left alone, a directory whose children were all rewritten, an opaque
  // directory, a removed directory with children, a new directory, a path recreated later.
  const model = await loadLayers([
    {
      entries: [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/a', content: 'a' },
        { name: 'etc/b', content: 'b' },
        { name: 'usr/', type: 'directory' },
        { name: 'usr/lib/', type: 'directory' },
        ...[1, 2, 3, 4].map((i) => ({ name: `usr/lib/x${i}`, content: 'x'.repeat(i) })),
        { name: 'opt/app/', type: 'directory' },
        { name: 'opt/app/old', content: 'o' },
        { name: 'var/old/', type: 'directory' },
        { name: 'var/old/log/', type: 'directory' },
        { name: 'var/old/log/one', content: '1' },
      ],
    },
    {
      entries: [
        { name: 'etc/', type: 'directory', mode: 0o700 },
        { name: 'etc/a', content: 'A' },
        { name: 'etc/b', content: 'B' },
        { name: 'usr/lib/', type: 'directory', mode: 0o700 },
        { name: 'usr/lib/x1', content: 'changed' },
        { name: 'usr/lib/new', content: 'n' },
        { name: 'opt/app/.wh..wh..opq' },
        { name: 'opt/app/fresh', content: 'f' },
        { name: 'var/.wh.old' },
        { name: 'srv/x/', type: 'directory' },
        { name: 'srv/x/y', content: 'y' },
      ],
    },
    {
      entries: [
        { name: 'usr/lib/.wh.new' },
        { name: 'etc/a', content: 'again' },
        { name: 'etc/c', content: 'c' },
        { name: 'var/old/again', content: 'g' },
      ],
    },
  ]);
  const tree = model.tree;
  const view = new TreeView({ tree });
  view.setHeight(1000);
  let compared = 0;
  let filtered = 0;
  for (let layer = 0; layer < 3; layer++) {
    for (const mode of ['aggregated', 'changes'] as const) {
      for (let bits = 0; bits < 16; bits++) {
        const kinds = { added: !!(bits & 1), modified: !!(bits & 2), removed: !!(bits & 4), unmodified: !!(bits & 8) };
        // The definition, walked over the whole tree: a row for each node that passes (its change
        // in the layer, or unmodified, is a kind shown) and for each ancestor of one, as context.
        const alive = (n: TreeNode) => {
          const v = n.versionAt(layer);
          return !!v && (v.change !== 'removed' || v.layer === layer);
        };
        const passes = (n: TreeNode) => {
          const own = n.versionIn(layer);
          if (mode === 'changes') return !!own && kinds[own.change];
          return alive(n) && kinds[own?.change ?? 'unmodified'];
        };
        const expected: string[] = [];
        const walk = (dir: TreeNode): boolean => {
          let any = false;
          const kids = [...(dir.children?.values() ?? [])]
            .filter((c) => mode === 'changes' || alive(c))
            .sort((a, b) => (a.name < b.name ? -1 : 1));
          for (const c of kids) {
            const at = expected.length;
            expected.push('');
            const below = walk(c);
            if (passes(c) || below) {
              expected[at] = `${c.path}${passes(c) ? '' : ' (context)'}`;
              any = true;
            } else expected.splice(at);
          }
          return any;
        };
        walk(tree.root);
        view.setLayer(layer);
        view.setMode(mode);
        for (const k of ['added', 'modified', 'removed', 'unmodified'] as const)
          if (view.kinds[k] !== kinds[k]) view.toggleKind(k);
        const rowsOf = () => {
          view.expandAll();
          view.home();
          return view.rows();
        };
        const what = `layer ${layer}, ${mode}, kinds ${JSON.stringify(kinds)}`;
        const rows = rowsOf();
        assert.deepEqual(
          rows.map((r) => `${r.node.path}${r.context ? ' (context)' : ''}`),
          expected,
          what,
        );
        // Without a filter the view decides node by node from the layer's kinds-below bits; with
        // one it builds sets of the nodes that pass. '/' is in every path: the two agree row for row.
        const full = (rs: typeof rows) => rs.map((r) => `${r.node.path} ${r.change} ${r.context} ${r.hasChildren}`);
        const unfiltered = full(rows);
        view.setFilter('/');
        assert.deepEqual(full(rowsOf()), unfiltered, `${what}, filtered by '/'`);
        // Text without a slash is matched a path component at a time; the same as a regex, which
        // is matched against whole paths.
        for (const text of ['o', 'x', 'new']) {
          view.setFilter(text);
          const byComponent = full(rowsOf());
          view.setFilter(`/${text}/`);
          assert.deepEqual(byComponent, full(rowsOf()), `${what}, filtered by '${text}'`);
          filtered += byComponent.length;
        }
        view.setFilter('');
        compared += expected.length;
      }
    }
  }
  assert.ok(compared > 300, `only ${compared} rows compared`);
  assert.ok(filtered > 300, `only ${filtered} filtered rows compared`);
});
