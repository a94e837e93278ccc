/** History commands as the explorer shows them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapHistory } from '../../src/engine/history.js';
import { commandFull, commandLine, layerCommand } from '../../src/ui/commands.js';

test('a layer whose history has no command but a comment (docker import) shows the comment', () => {
  const history = mapHistory({
    rootfs: { type: 'layers', diff_ids: ['sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64)] },
    history: [
      { created_by: '', comment: 'Imported from -' },
      { created_by: '/bin/sh -c apt-get install -y nginx', comment: 'ignored when there is a command' },
      { created_by: '', empty_layer: true },
    ],
  });
  const meta = { reference: 'x', source: 'demo' as const, config: {}, layers: [], history };
  assert.equal(layerCommand(meta, 0), '# Imported from -');
  assert.equal(layerCommand(meta, 1), 'RUN apt-get install -y nginx');
  assert.equal(commandFull(history[0]), '# Imported from -');
  // Neither command nor comment: nothing to show (the panel says the step is empty).
  assert.equal(commandLine(history[2]), '');
});

test('the History panel shows a docker import comment once, and a comment beside a command', async () => {
  const { explorerOn, loadedImage, text } = await import('../support/ui.js');
  const model = await loadedImage([
    { entries: [{ name: 'etc/hostname', content: 'x\n' }], createdBy: '', comment: 'Imported from -' },
    {
      entries: [{ name: 'etc/motd', content: 'hi\n' }],
      createdBy: '/bin/sh -c echo hi > /etc/motd',
      comment: 'built by ci-42',
    },
  ]);
  const ex = explorerOn(model);
  const shown = text(ex);
  assert.match(shown, /\[History\].* layer 0 /);
  assert.equal(shown.split('# Imported from -').length - 1, 2, shown); // the Layers row and the History panel, once each
  ex.selectLayer(1);
  ex.sync();
  const second = text(ex);
  assert.match(second, /\[History\].* layer 1 /);
  assert.match(second, /# built by ci-42/);
});
