import { isRemoved, isTree, type Tree } from '../../src/workloads/values/tree.js';

/**
 * Dead settings: a key wire-install sets that changes nothing helm renders is a guess about a
 * chart that the chart does not share. Each key wire-install sets (the overlay's leaves) is
 * perturbed and the release rendered again; a key is live when the output changes.
 *
 * Cheap first: every string the overlay sets gets a unique marker appended at once, and a
 * marker found in the output (Secrets decoded) proves its key live in one render. What is left
 * (booleans, numbers, strings whose marker did not show) is perturbed one key at a time and
 * compared with the unperturbed output.
 */
export type Path = readonly (string | number)[];

export const pathText = (path: Path) =>
  path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`)).join('');

function isScalarList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.every((item) => !isTree(item) && !Array.isArray(item));
}

/** The leaves the overlay sets: scalars, and lists of scalars as one leaf; lists of maps are entered. */
export function leafPaths(tree: unknown, path: Path = []): Path[] {
  if (isRemoved(tree)) return [];
  if (isTree(tree)) return Object.entries(tree).flatMap(([key, value]) => leafPaths(value, [...path, key]));
  if (Array.isArray(tree) && !isScalarList(tree))
    return tree.flatMap((item, index) => leafPaths(item, [...path, index]));
  return [path];
}

export function valueAt(tree: unknown, path: Path): unknown {
  let node: unknown = tree;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** A deep copy with the value at `path` replaced (the path exists: it came from the tree). */
export function withValue<T>(tree: T, path: Path, value: unknown): T {
  if (path.length === 0) return value as T;
  const [key, ...rest] = path;
  const copy = (Array.isArray(tree) ? [...tree] : { ...(tree as Tree) }) as Record<string | number, unknown>;
  copy[key as string | number] = withValue(copy[key as string | number], rest, value);
  return copy as T;
}

export const marker = (id: number) => `zzwi${id}zz`;

/** The value perturbed so that a chart reading it must render something else. */
export function perturbed(value: unknown, id: number): unknown {
  if (typeof value === 'string') return `${value}${marker(id)}`;
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value))
    return value.length === 0
      ? [marker(id)]
      : value.map((item) => (typeof item === 'string' ? `${item}${marker(id)}` : item));
  return marker(id);
}

/** Whether the value's perturbation carries a marker that can be searched for. */
export function markable(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'number' ||
    (Array.isArray(value) && value.some((item) => typeof item === 'string'))
  );
}

/**
 * Compares two renders, ignoring lines that differ between two renders of the same input
 * (charts that generate a random password or certificate at render time).
 */
export function differs(a: string, b: string, unstable: ReadonlySet<string>): boolean {
  const stable = (text: string) =>
    text
      .split('\n')
      .filter((line) => !unstable.has(line))
      .join('\n');
  return stable(a) !== stable(b);
}

export function unstableLines(first: string, second: string): Set<string> {
  const a = new Set(first.split('\n'));
  const b = new Set(second.split('\n'));
  return new Set([...a].filter((line) => !b.has(line)).concat([...b].filter((line) => !a.has(line))));
}
