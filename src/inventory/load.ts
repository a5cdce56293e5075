import { dirname, resolve } from 'node:path';
import { inputError } from '../core/errors.js';
import { readRegularFile } from '../core/safe-file.js';
import { parseYamlDocument, type YamlDocumentSpec } from '../core/yaml-document.js';
import { DEFAULT_YAML_LIMITS } from '../core/yaml-limits.js';
import type { KeyPath, Position } from '../core/yaml-positions.js';
import { applyDefaults, type Inventory } from './defaults.js';
import { describeIssue, formatKeyPath } from './describe-issue.js';
import { API_VERSION, type InventoryInput, inventorySchema, KIND } from './schema.js';

/**
 * Reading an inventory: file -> YAML (with positions) -> zod -> defaults. Rules come after,
 * in src/rules. Every failure is an input error (exit 2) that names file:line:column and
 * the key; nothing here prints or throws a stack trace at the user.
 */

export interface LoadedInventory {
  /** Absolute path of the file read (or the name given for text). */
  file: string;
  /** Directory relative paths in the inventory (certificates, bundle, kubeconfig) resolve against. */
  baseDir: string;
  input: InventoryInput;
  inventory: Inventory;
  /** Where a key path sits in the file, for pointing at it in findings. */
  locate(path: KeyPath): Position | undefined;
}

export async function loadInventoryFile(path: string, cwd = process.cwd()): Promise<LoadedInventory> {
  const file = resolve(cwd, path);
  // Read through a link (an inventory kept elsewhere), but only a regular file: a directory, a
  // device or a FIFO is named as such, and a huge file is refused before it is read.
  const read = await readRegularFile(file, {
    role: 'the inventory',
    maxBytes: DEFAULT_YAML_LIMITS.maxBytes,
    followLink: true,
  });
  if (!read)
    throw inputError({
      what: `inventory file not found: ${file}`,
      next: 'create one with `wire-install init`, or pass the right file with --inventory',
    });
  const { text } = read;
  return parseInventoryText(text, file);
}

const INVENTORY_DOCUMENT: YamlDocumentSpec<InventoryInput> = {
  schema: inventorySchema,
  noun: 'the inventory',
  format: 'the inventory format',
  expectedKeys: 'apiVersion, kind, mode, domain, ...',
  showSnippet: true,
  next: {
    syntax: 'fix the YAML at that line (indentation uses spaces; a value with ": " needs quotes)',
    notMapping: 'start from inventory.example.yaml or run `wire-install init`',
    schema:
      'fix the keys above; docs/inventory.md describes every key (editors check it through the $schema header)',
    notOurs:
      'check the path given with --inventory, or start from inventory.example.yaml or `wire-install init`',
  },
  identity: { apiVersion: API_VERSION, kind: KIND },
  formatPath: formatKeyPath,
  describeIssue,
};

export function parseInventoryText(text: string, file: string): LoadedInventory {
  const { value: input, locate } = parseYamlDocument(text, file, INVENTORY_DOCUMENT);
  return { file, baseDir: dirname(file), input, inventory: applyDefaults(input), locate };
}
