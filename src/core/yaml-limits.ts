import yaml from 'js-yaml';
/**
 * Limits on a YAML document wire-install reads (the inventory, secrets.yaml, an answers file).
 * An alias is a reference to an anchored node: js-yaml shares it, so parsing a "billion laughs"
 * document is quick, but everything that walks the value afterwards (the schema check, a
 * message quoting the value) walks every copy: 2.8 KB of anchors took 46 s and 2.2 GB before
 * failing. So the nodes are counted as they would be with every alias expanded, while parsing,
 * and the document is refused at the alias that crosses the limit.
 */

export interface YamlLimits {
  /** Bytes of YAML text (UTF-8). */
  maxBytes: number;
  /** Nodes (scalars, mappings, sequences, keys included) once every alias is expanded. */
  maxExpandedNodes: number;
}

/**
 * A large production inventory (a hundred hosts) is about 30 KB and 5,000 nodes: these leave
 * ample room for anything real and stop an expansion long before it costs time or memory.
 */
export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxBytes: 1024 * 1024,
  maxExpandedNodes: 100_000,
};

/** A limit crossed: `offset` is where in the text (the alias, or the node that crossed it). */
export class YamlLimitError extends Error {
  constructor(
    readonly rule: string,
    readonly measured: string,
    readonly offset: number,
  ) {
    super(`${rule}: ${measured}`);
    this.name = 'YamlLimitError';
  }
}

export function checkYamlSize(text: string, limits: YamlLimits): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.maxBytes)
    throw new YamlLimitError(
      `a YAML file may have at most ${limits.maxBytes} bytes`,
      `it has ${bytes} bytes`,
      0,
    );
}

interface ListenerState {
  position: number;
  kind: string | null;
  result: unknown;
}

/**
 * A js-yaml listener that counts expanded nodes. Every node reports 'open' then 'close', children
 * before their parent. An alias node closes with `kind` null and, as `result`, the very object
 * the anchor made (js-yaml shares it); a collection's expanded size is kept by that object, so an
 * alias costs its anchor's whole size without anything being expanded.
 */
export function expansionCounter(text: string, limits: YamlLimits) {
  const sizes = new WeakMap<object, number>();
  // Per open node: its start and the expanded size of its children so far.
  const open: { start: number; children: number }[] = [];
  let total = 0;
  return (event: 'open' | 'close', state: ListenerState): void => {
    if (event === 'open') {
      open.push({ start: state.position, children: 0 });
      return;
    }
    const node = open.pop();
    if (!node) return;
    const result = state.result;
    const isObject = result !== null && typeof result === 'object';
    let size: number;
    if (state.kind === null && isObject && sizes.has(result)) {
      // An alias of a collection: it weighs what its anchor weighs, expanded.
      size = sizes.get(result) ?? 1;
      total += size;
      if (total > limits.maxExpandedNodes) {
        const at = skipBlank(text, node.start, true);
        throw new YamlLimitError(
          `aliases may expand a YAML file to at most ${limits.maxExpandedNodes} nodes`,
          `the alias ${aliasName(text, at)} alone stands for ${size} nodes, and the file reaches more than ${limits.maxExpandedNodes} there`,
          at,
        );
      }
    } else {
      size = 1 + node.children;
      total += 1;
      if (isObject) sizes.set(result, size);
      if (total > limits.maxExpandedNodes)
        throw new YamlLimitError(
          `a YAML file may have at most ${limits.maxExpandedNodes} nodes`,
          `it has more than ${limits.maxExpandedNodes}`,
          skipBlank(text, node.start, true),
        );
    }
    const parent = open[open.length - 1];
    if (parent) parent.children += size;
  };
}

function aliasName(text: string, at: number): string {
  const match = /^\*[^\s,[\]{}]{1,40}/.exec(text.slice(at, at + 41));
  return match ? match[0] : '(an alias)';
}

/**
 * yaml.load with the limits, for YAML that is not one of our documents (a bundle's example
 * values, a chart's Chart.yaml): same schema as yaml.load unless told, so nothing else changes.
 * Throws YamlLimitError (a plain Error to callers that only catch and report).
 */
export function loadYamlLimited(
  text: string,
  options: yaml.LoadOptions = {},
  limits = DEFAULT_YAML_LIMITS,
): unknown {
  checkYamlSize(text, limits);
  return yaml.load(text, { ...options, listener: expansionCounter(text, limits) });
}

/**
 * js-yaml reports a node as opening right after the previous token; skip to its first
 * character (past a flow collection's comma too, with `commas`).
 */
export function skipBlank(text: string, offset: number, commas = false): number {
  let i = offset;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || (commas && ch === ',')) {
      i += 1;
    } else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else {
      break;
    }
  }
  return i;
}
