import { isRemoved, isTree, type Tree } from './tree.js';

/**
 * What Wire's example values and secrets (wire-server-deploy's values/<chart>/*.example.yaml)
 * hold where an operator must put something of their own: `<public key>`, `changeme`,
 * `verysecurepassword`, empty PEM blocks, names under example.com. A value like that reaching
 * helm makes a release that renders but does not work (a TURN secret everybody knows, a link
 * to example.com in every e-mail), so wire-install replaces each one and refuses to deploy a
 * release in which one is left (rules.ts, values.example-placeholder).
 */
export const PLACEHOLDER_PATTERNS: readonly { what: string; pattern: RegExp }[] = [
  { what: 'an angle-bracket placeholder', pattern: /<[A-Za-z][A-Za-z0-9 _.-]{0,40}>/ },
  { what: 'changeme', pattern: /change_?me/i },
  { what: 'verysecurepassword', pattern: /verysecurepassword/i },
  {
    what: 'an empty or placeholder PEM block',
    pattern: /-----BEGIN [A-Z ]+-----\s*(?:[^\n]*\.{4}[^\n]*\s*)*-----END/,
  },
  { what: "a name under Wire's example domains", pattern: /\bexample\.(?:com|org)\b/i },
  { what: 'YourCompany', pattern: /\bYourCompany\b/ },
  { what: 'an insert-… placeholder', pattern: /\binsert-[a-z]+(?:-[a-z]+)+\b/ },
];

/** The first placeholder pattern the text matches, or undefined. */
export function placeholderIn(text: string): string | undefined {
  return PLACEHOLDER_PATTERNS.find(({ pattern }) => pattern.test(text))?.what;
}

export interface LeftPlaceholder {
  /** Dotted key path in the values or secrets tree (list items as [n]). */
  path: string;
  what: string;
}

/**
 * Strings of `tree` that are still exactly the example's value at the same place and look like
 * a placeholder. Only what was left from the example counts: a value the inventory set (an
 * e-mail at example.com in a test inventory) is the operator's choice.
 */
export function leftPlaceholders(example: unknown, tree: unknown, path = ''): LeftPlaceholder[] {
  if (typeof tree === 'string') {
    if (tree !== example) return [];
    const what = placeholderIn(tree);
    return what ? [{ path, what }] : [];
  }
  if (Array.isArray(tree))
    return tree.flatMap((item, index) =>
      leftPlaceholders(Array.isArray(example) ? example[index] : undefined, item, `${path}[${index}]`),
    );
  if (isTree(tree) && !isRemoved(tree))
    return Object.entries(tree).flatMap(([key, value]) =>
      leftPlaceholders(
        isTree(example) ? (example as Tree)[key] : undefined,
        value,
        path ? `${path}.${key}` : key,
      ),
    );
  return [];
}
