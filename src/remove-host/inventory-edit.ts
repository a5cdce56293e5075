import type { KeyPath, Position } from '../core/yaml-positions.js';

/**
 * inventory.yaml after a host left, edited as text so the operator's comments, order and layout
 * stay: the host's entry under `hosts:` is cut out (its lines, from the comments right above its
 * `- ` to the next entry or the end of the list), and a host can be moved before another (the promoted PostgreSQL standby
 * goes where the old primary was: the first postgresql host is the primary).
 */

/** The lines (0-based, end exclusive) of each entry of `hosts`, from the loader's positions. */
function entryRanges(text: string, locate: (path: KeyPath) => Position | undefined, count: number) {
  const lines = text.split('\n');
  const starts: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const position = locate(['hosts', index]);
    if (!position) throw new Error(`inventory edit: hosts[${index}] has no position`);
    // Comment lines right above an entry describe it: they go with it.
    let start = position.line - 1;
    while (start > 0 && /^\s*#/.test(lines[start - 1] ?? '')) start -= 1;
    starts.push(start);
  }
  const dashColumn = (line: string) => line.search(/\S/);
  return starts.map((start, index) => {
    const next = starts[index + 1];
    if (next !== undefined) return { start, end: next };
    // The last entry runs while lines are indented deeper than its dash (or blank).
    const dashLine = lines.slice(start).find((line) => !/^\s*#/.test(line)) ?? '';
    const dash = dashColumn(dashLine);
    let end = start + 1;
    while (end < lines.length) {
      const line = lines[end] ?? '';
      if (line.trim() !== '' && dashColumn(line) <= dash) break;
      end += 1;
    }
    // Blank lines after the list belong to what follows.
    while (end > start + 1 && (lines[end - 1] ?? '').trim() === '') end -= 1;
    return { start, end };
  });
}

/**
 * The inventory text with hosts[remove] cut out and, when `moveFirst` is given, hosts[moveFirst]
 * moved before hosts[before]. Both indexes are of the original list. Each entry must begin on its
 * own line (`- name: ...` or `- { name: ... }`): a list written on one line is refused.
 */
export function editHosts(
  text: string,
  locate: (path: KeyPath) => Position | undefined,
  count: number,
  remove: number,
  move?: { index: number; before: number },
): string {
  const ranges = entryRanges(text, locate, count);
  const lines = text.split('\n');
  for (const [index, range] of ranges.entries()) {
    const next = ranges[index + 1];
    if (next && next.start <= range.start)
      throw new Error('the hosts list is written on one line: edit it by hand (one entry per line)');
  }
  const entry = (index: number) => {
    const range = ranges[index];
    if (!range) throw new Error(`inventory edit: no hosts[${index}]`);
    return lines.slice(range.start, range.end);
  };
  const order = ranges.map((_, index) => index).filter((index) => index !== remove);
  if (move && move.index !== move.before) {
    const from = order.indexOf(move.index);
    order.splice(from, 1);
    order.splice(order.indexOf(move.before), 0, move.index);
  }
  const first = ranges[0];
  const last = ranges[ranges.length - 1];
  if (!first || !last) return text;
  return [...lines.slice(0, first.start), ...order.flatMap(entry), ...lines.slice(last.end)].join('\n');
}
