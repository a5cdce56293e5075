import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { inputError } from '../core/errors.js';
import { parseYamlDocument, type YamlDocumentSpec } from '../core/yaml-document.js';
import type { KeyPath, Position } from '../core/yaml-positions.js';
import { applyDefaults, type Inventory } from './defaults.js';
import { describeIssue, formatKeyPath } from './describe-issue.js';
import { type InventoryInput, inventorySchema } from './schema.js';

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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw inputError({
      what:
        code === 'ENOENT'
          ? `inventory file not found: ${file}`
          : `cannot read inventory file ${file} (${code})`,
      next:
        code === 'ENOENT'
          ? 'create one with `wire-install init`, or pass the right file with --inventory'
          : 'check the file permissions',
    });
  }
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
  },
  formatPath: formatKeyPath,
  describeIssue,
};

export function parseInventoryText(text: string, file: string): LoadedInventory {
  const { value: input, locate } = parseYamlDocument(text, file, INVENTORY_DOCUMENT);
  return { file, baseDir: dirname(file), input, inventory: applyDefaults(input), locate };
}
