/**
 * The walk back over a text's lines that starts with a given character, nearest first, that
 * both the documentation blocks (precision.ts: `=head1` … `=cut`) and a bundle's module markers
 * (bundles.ts: `// node_modules/…`) are read with. Over a string or over bytes (a Buffer's
 * latin1 offsets are the string's), and bounded: a crafted file of nothing but such lines must
 * not make each match cost a walk of its whole window.
 */

/** What nearestLine answers when it looked at `max` lines and none said anything. */
export const GAVE_UP = Symbol('gave up');

/**
 * Ask `read` about each line of `hay` before `index` that starts with `lead`, nearest first (the
 * first line of `hay` too); the first answer that is not undefined is returned. Undefined: no
 * such line answered; GAVE_UP: `max` lines did not.
 */
export function nearestLine<T>(
  hay: { lastIndexOf(needle: string, from?: number): number },
  index: number,
  lead: string,
  read: (at: number) => T | undefined,
  max = 512,
): T | undefined | typeof GAVE_UP {
  if (index <= 0) return undefined;
  const needle = '\n' + lead;
  let tries = 0;
  for (let nl = hay.lastIndexOf(needle, index - 1); nl >= 0; nl = nl === 0 ? -1 : hay.lastIndexOf(needle, nl - 1)) {
    const answer = read(nl + 1);
    if (answer !== undefined) return answer;
    if (++tries === max) return GAVE_UP;
  }
  return read(0);
}
