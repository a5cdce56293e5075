import yaml from 'js-yaml';
import {
  checkYamlSize,
  DEFAULT_YAML_LIMITS,
  expansionCounter,
  skipBlank,
  type YamlLimits,
} from './yaml-limits.js';

/**
 * Parses YAML with js-yaml and records where every node starts, so a schema error on
 * `hosts[2].resources.memoryGiB` can be reported as `inventory.yaml:31:20`.
 *
 * js-yaml has no position API, but its `listener` option reports an 'open' and a 'close'
 * event for every node it composes, keys included, in document order. We rebuild the node
 * tree from those events; a mapping's children alternate key, value; a sequence's are its items.
 * The same events count the nodes as if every alias were expanded (yaml-limits.ts): a document
 * over the limits throws YamlLimitError while it is parsed, before anything walks its value.
 */

export interface Position {
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

export type KeyPath = readonly (string | number)[];

interface RawNode {
  start: number;
  kind: string | null;
  result: unknown;
  children: RawNode[];
}

export interface ParsedYaml {
  value: unknown;
  /** Where the value at `path` starts; for a missing key, where its nearest existing parent starts. */
  locate(path: KeyPath): Position | undefined;
}

export function parseYamlWithPositions(
  text: string,
  fileName: string,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
): ParsedYaml {
  checkYamlSize(text, limits);
  const count = expansionCounter(text, limits);
  const stack: RawNode[] = [{ start: 0, kind: null, result: undefined, children: [] }];
  const value = yaml.load(text, {
    filename: fileName,
    schema: yaml.CORE_SCHEMA,
    listener(event, state) {
      count(event, state);
      if (event === 'open') {
        stack.push({ start: state.position, kind: null, result: undefined, children: [] });
        return;
      }
      const node = stack.pop();
      const parent = stack[stack.length - 1];
      if (!node || !parent) return;
      node.kind = state.kind;
      node.result = state.result;
      parent.children.push(node);
    },
  });
  const root = stack[0]?.children[0];
  const offsets = new Map<string, number>();
  if (root) indexNode(root, [], offsets);
  const lineStarts = computeLineStarts(text);

  return {
    value,
    locate(path) {
      for (let length = path.length; length >= 0; length -= 1) {
        const offset = offsets.get(pathKey(path.slice(0, length)));
        if (offset !== undefined) return toPosition(skipBlank(text, offset), lineStarts);
      }
      return undefined;
    },
  };
}

function indexNode(node: RawNode, path: (string | number)[], offsets: Map<string, number>): void {
  offsets.set(pathKey(path), node.start);
  if (node.kind === 'mapping' && node.children.length % 2 === 0) {
    for (let i = 0; i < node.children.length; i += 2) {
      const key = node.children[i];
      const value = node.children[i + 1];
      if (!key || !value) continue;
      const keyName = String(key.result);
      // Point at the key itself: "hosts[1].memoryGiB: 4" is read from its key, and a value on
      // the next line (a nested block) would otherwise point past the key.
      offsets.set(pathKey([...path, keyName]), key.start);
      indexChildren(value, [...path, keyName], offsets);
    }
  } else if (node.kind === 'sequence') {
    node.children.forEach((child, index) => {
      indexNode(child, [...path, index], offsets);
    });
  }
}

/** Index a mapping value's subtree without overwriting the key's own position. */
function indexChildren(node: RawNode, path: (string | number)[], offsets: Map<string, number>): void {
  const own = offsets.get(pathKey(path));
  indexNode(node, path, offsets);
  if (own !== undefined) offsets.set(pathKey(path), own);
}

function pathKey(path: KeyPath): string {
  return JSON.stringify(path);
}

/** Line and column (1-based) of an offset in the text. */
export function positionAt(text: string, offset: number): Position {
  return toPosition(offset, computeLineStarts(text));
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i += 1) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function toPosition(offset: number, lineStarts: number[]): Position {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
}
