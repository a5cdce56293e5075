/**
 * Values as plain YAML trees: what js-yaml parses Wire's example files into. The overlay is a
 * deep merge in which maps merge key by key and everything else (lists, scalars) is replaced:
 * helm merges `-f` files the same way, so an overlay reads like a values file of its own.
 */
export type Tree = { [key: string]: unknown };

export function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const REPLACING = new WeakSet<Tree>();

/**
 * A map that replaces the example's map instead of merging into it: a node selector must be
 * exactly ours (a label left from the example would match no node).
 */
export function replacing(tree: Tree): Tree {
  REPLACING.add(tree);
  return tree;
}

/**
 * A key of Wire's example that wire-install takes out, with the reason: a placeholder for
 * something this installation does not run (the legal hold service, the proxy's API keys).
 * The reason is for the reader of the code; helm never sees the key.
 */
export interface Removed {
  readonly removed: string;
}

const REMOVED = new WeakSet<object>();

export function removed(reason: string): Removed {
  const marker = { removed: reason };
  REMOVED.add(marker);
  return marker;
}

export function isRemoved(value: unknown): value is Removed {
  return typeof value === 'object' && value !== null && REMOVED.has(value);
}

export function overlay(base: Tree, top: Tree): Tree {
  const merged: Tree = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    if (isRemoved(value)) {
      delete merged[key];
      continue;
    }
    const below = merged[key];
    merged[key] =
      isTree(below) && isTree(value) && !REPLACING.has(value) ? overlay(below, value) : withoutRemoved(value);
  }
  return merged;
}

/** A subtree as helm gets it: removal markers only mean something against a base, so they go. */
function withoutRemoved(value: unknown): unknown {
  if (!isTree(value)) return value;
  const copy = overlay({}, value);
  // A replacing map stays one, so a later overlay still replaces rather than merges.
  return REPLACING.has(value) ? replacing(copy) : copy;
}

/** The value at a dotted path (keys may contain dashes: `background-worker.config`), or undefined. */
export function at(tree: unknown, path: string): unknown {
  let node: unknown = tree;
  for (const key of path.split('.')) {
    if (!isTree(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** A one-branch tree from a dotted path, for overlays that set a single deep key. */
export function branch(path: string, value: unknown): Tree {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Tree;
}
