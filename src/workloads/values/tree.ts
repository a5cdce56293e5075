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

export function overlay(base: Tree, top: Tree): Tree {
  const merged: Tree = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    const below = merged[key];
    merged[key] = isTree(below) && isTree(value) && !REPLACING.has(value) ? overlay(below, value) : value;
  }
  return merged;
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
