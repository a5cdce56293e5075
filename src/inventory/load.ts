import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import yaml from 'js-yaml';
import type { z } from 'zod';
import { inputError } from '../core/errors.js';
import { applyDefaults, type Inventory } from './defaults.js';
import { describeIssue, formatKeyPath } from './describe-issue.js';
import { type InventoryInput, inventorySchema } from './schema.js';
import { type KeyPath, type Position, parseYamlWithPositions } from './yaml-positions.js';

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

export function parseInventoryText(text: string, file: string): LoadedInventory {
  let parsed: ReturnType<typeof parseYamlWithPositions>;
  try {
    parsed = parseYamlWithPositions(text, file);
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      const { line, column } = error.mark ?? { line: 0, column: 0 };
      throw inputError({
        what: `${file}:${line + 1}:${column + 1}: the file is not valid YAML: ${error.reason}`,
        evidence: error.mark?.snippet ? error.mark.snippet.split('\n') : [],
        next: 'fix the YAML at that line (indentation uses spaces; a value with ": " needs quotes)',
      });
    }
    throw error;
  }
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    throw inputError({
      what: `${file}:1:1: the inventory must be a YAML mapping (apiVersion, kind, mode, domain, ...)`,
      next: 'start from inventory.example.yaml or run `wire-install init`',
    });
  }
  const input = validateInventoryInput(parsed.value, file, parsed.locate);
  return {
    file,
    baseDir: dirname(file),
    input,
    inventory: applyDefaults(input),
    locate: parsed.locate,
  };
}

/** Schema validation only: every problem at once, each with file:line:column and its key path. */
export function validateInventoryInput(
  value: unknown,
  file: string,
  locate: (path: KeyPath) => Position | undefined = () => undefined,
): InventoryInput {
  const result = inventorySchema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue: z.core.$ZodIssue) => {
    const path = issue.path as (string | number)[];
    // Point at the unknown key itself, not at the mapping that holds it.
    const position = locate(issue.code === 'unrecognized_keys' ? [...path, String(issue.keys[0])] : path);
    const where = position ? `${file}:${position.line}:${position.column}` : file;
    return `${where}: ${formatKeyPath(path, value)}: ${describeIssue(issue, value)}`;
  });
  throw inputError({
    what: `${file} does not match the inventory format (${lines.length} ${lines.length === 1 ? 'problem' : 'problems'})`,
    evidence: lines,
    next: 'fix the keys above; docs/inventory.md describes every key (editors check it through the $schema header)',
  });
}
