/**
 * Word-wraps plain text to `width` columns: the first line starts with `first`, the others
 * with `rest` (a hanging indent). A word longer than a line is kept whole.
 * Colour is applied by callers to whole lines' parts they compute before wrapping, so the
 * measured width is always the visible width.
 */
export function wrap(text: string, first: string, rest: string, width = 80): string[] {
  const words = text.split(/\s+/).filter((word) => word.length > 0);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line = empty ? line + word : `${line} ${word}`;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}
