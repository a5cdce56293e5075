import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Finding } from '../core/finding.js';
import { type LoadedInventory, parseInventoryText } from '../inventory/load.js';
import type { InventoryInput } from '../inventory/schema.js';
import { checkInventory } from '../rules/index.js';
import type { InitAnswers } from './answers.js';
import { renderInventory } from './render-inventory.js';
import { toInventoryInput } from './to-inventory.js';

/**
 * Answers -> the exact text init would write, read back through the same loader every command
 * uses (so an invalid file is never written), and checked by the rules. Nothing is written here.
 */

export interface InitPaths {
  /** Where init runs: paths typed in answers are relative to it. */
  cwd: string;
  /** Absolute path of the inventory to write. */
  inventory: string;
  /** Absolute path of the secrets file. */
  secrets: string;
}

export interface PreparedInventory {
  input: InventoryInput;
  text: string;
  loaded: LoadedInventory;
  findings: Finding[];
}

/** A path typed relative to cwd, made relative to the inventory's directory (as the inventory reads it). */
export function rebaseOnto(cwd: string, inventoryFile: string): (path: string) => string {
  const inventoryDir = dirname(inventoryFile);
  return (path) => {
    if (isAbsolute(path) || path.startsWith('~')) return path;
    const rebased = relative(inventoryDir, resolve(cwd, path));
    if (rebased === '') return '.';
    return rebased.startsWith('..') ? rebased : `./${rebased}`;
  };
}

/** Throws the loader's input error (exit 2) if the answers make an invalid inventory. */
export async function prepareInventory(answers: InitAnswers, paths: InitPaths): Promise<PreparedInventory> {
  const input = toInventoryInput(answers, { rebasePath: rebaseOnto(paths.cwd, paths.inventory) });
  const text = renderInventory(input, paths.inventory);
  const loaded = parseInventoryText(text, paths.inventory);
  const findings = await checkInventory(loaded.inventory, { baseDir: loaded.baseDir });
  return { input, text, loaded, findings };
}
