import type { Inventory } from '../inventory/defaults.js';
import type { Finding } from './finding.js';

export interface CheckOptions {
  /** Directory that relative paths in the inventory (certificate files) resolve against. */
  baseDir: string;
  /** The time certificates are checked against (tests move it). */
  now?: Date;
}

/**
 * Every rule that can be checked from the inventory alone (no host contacted): role counts,
 * declared hardware, addresses, calling, DNS names, and bring-your-own certificate files.
 * PLACEHOLDER: the rule modules are being written; this wiring is completed with them.
 */
export async function checkInventory(_inventory: Inventory, _options: CheckOptions): Promise<Finding[]> {
  return [];
}
