// Long replies are split to the channel's limit (capabilities.maxTextLength) at the last paragraph, line or word
// break that fits, so no part cuts a word; a single word longer than the limit is cut hard.

export function splitText(text: string, max: number): string[] {
  if (max <= 0 || text.length <= max) return [text];
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    const cut = lastBreak(window, '\n\n') ?? lastBreak(window, '\n') ?? lastBreak(window, ' ') ?? max;
    const part = rest.slice(0, cut).trimEnd();
    if (part) parts.push(part);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}

/** The index of the last `sep` in the window's second half (earlier breaks would make tiny parts). */
function lastBreak(window: string, sep: string): number | undefined {
  const at = window.lastIndexOf(sep);
  return at > window.length / 2 ? at : undefined;
}
