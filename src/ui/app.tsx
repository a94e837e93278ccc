/**
 * The Ink component: prints the lines render-screen.ts computes, forwards keys to the Explorer,
 * and turns the model's events into at most ~30 re-renders a second so a streaming image never
 * floods React (or starves input).
 */
import type React from 'react';
import { useEffect, useReducer } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import type { Explorer } from './explorer.js';
import { screen } from './render-screen.js';

export interface AppProps {
  explorer: Explorer;
  /** Minimum time between model-driven re-renders. */
  frameMs?: number;
  /**
   * Paint the lines directly (see painter.ts) instead of letting Ink print them; the component
   * then renders nothing through Ink. `terminal` is the real output (size and resize events).
   */
  direct?: { paint: (lines: string[]) => void; invalidate: () => void; terminal: NodeJS.WriteStream };
}

export function App({ explorer, frameMs = 33, direct }: AppProps): React.JSX.Element | null {
  const { exit } = useApp();
  const { stdout: inkOut } = useStdout();
  const stdout = direct?.terminal ?? inkOut;
  const [, bump] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    explorer.onChange = () => bump();
    const onResize = () => {
      explorer.resize(stdout.columns || explorer.width, stdout.rows || explorer.height);
      direct?.invalidate();
      bump();
    };
    stdout.on('resize', onResize);
    const model = explorer.model;
    let frame: NodeJS.Timeout | null = null;
    let findings: NodeJS.Timeout | null = null;
    const schedule = () => {
      if (frame) return;
      frame = setTimeout(() => {
        frame = null;
        explorer.sync();
        bump();
      }, frameMs);
    };
    const scheduleFindings = () => {
      if (findings) return;
      findings = setTimeout(() => {
        findings = null;
        explorer.refreshFindings();
        bump();
      }, 300);
    };
    const onLayer = () => {
      schedule();
      scheduleFindings();
    };
    const onDone = () => {
      if (findings) clearTimeout(findings);
      findings = null;
      explorer.refreshFindings();
      schedule();
    };
    model.on('meta', onLayer);
    model.on('progress', schedule);
    model.on('layer', onLayer);
    model.on('done', onDone);
    model.on('error', schedule);
    // Events that fired before we subscribed.
    explorer.sync();
    if (model.done) onDone();
    return () => {
      stdout.off('resize', onResize);
      model.off('meta', onLayer);
      model.off('progress', schedule);
      model.off('layer', onLayer);
      model.off('done', onDone);
      model.off('error', schedule);
      if (frame) clearTimeout(frame);
      if (findings) clearTimeout(findings);
      explorer.onChange = () => {};
    };
  }, [explorer, stdout, frameMs, direct]);

  useInput((input, key) => {
    // Keys typed quickly (or sent by tmux) can arrive as one chunk: outside text entry, each
    // character is its own command.
    if (input.length > 1 && !explorer.editingText && !key.ctrl && !key.meta && !/[\u0000-\u001f]/.test(input)) {
      for (const ch of input) {
        explorer.key(ch, {});
        if (explorer.quit || explorer.editingText) break;
      }
    } else explorer.key(input, key);
    if (explorer.quit) exit();
    else bump();
  });

  const lines = screen(explorer);
  useEffect(() => {
    direct?.paint(lines);
  });
  if (direct) return null;
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a screen row is its position
        <Text key={i}>{l}</Text>
      ))}
    </Box>
  );
}
