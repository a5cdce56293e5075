import yaml from 'js-yaml';
import { schemaHeader } from '../inventory/json-schema.js';
import type { InventoryInput } from '../inventory/schema.js';

/**
 * The text of an inventory written by init: the yaml-language-server line (so editors check the
 * file), a short comment, then each top-level section separated by a blank line. Small lists
 * and mappings nested three levels deep (a host's roles and resources) are written in flow
 * style, `roles: [kube-control-plane, kube-worker]`, as people write them by hand.
 */

const COMMENT = [
  '#',
  '# Written by `wire-install init`. Every key is described in docs/inventory.md. See the staged',
  '# plan, contacting no host, with `wire-install apply --plan --offline --inventory <this file>`.',
  '# Secrets are never kept here: they live in secrets.yaml (mode 0600).',
];

/** Sections that read better as one block without a blank line between them. */
const HEAD_KEYS = new Set(['apiVersion', 'kind', 'mode', 'domain']);

export function renderInventory(input: InventoryInput, inventoryFile: string): string {
  const lines = [schemaHeader(inventoryFile), ...COMMENT];
  let previousWasHead = false;
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const head = HEAD_KEYS.has(key);
    if (!(head && previousWasHead)) lines.push('');
    const text = yaml.dump({ [key]: value }, { flowLevel: 3, lineWidth: -1, noRefs: true, sortKeys: false });
    lines.push(text.trimEnd());
    previousWasHead = head;
  }
  return `${lines.join('\n')}\n`;
}
