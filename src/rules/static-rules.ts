import type { Finding } from '../core/finding.js';
import type { Inventory } from '../inventory/defaults.js';
import { checkAddresses } from './addresses.js';
import { checkCalling } from './calling.js';
import { checkDnsNames } from './dns-names.js';
import { checkHardware } from './hardware.js';
import { checkRoleCounts } from './role-counts.js';

/**
 * Every rule that needs nothing but the inventory (no files, no hosts). Errors come first,
 * then warnings; within each, the order of the rule modules and then of the hosts, so the
 * same inventory always prints the same list.
 */
const RULES: readonly ((inventory: Inventory) => Finding[])[] = [
  checkRoleCounts,
  checkHardware,
  checkAddresses,
  checkCalling,
  checkDnsNames,
];

export function checkInventoryStatic(inventory: Inventory): Finding[] {
  const findings = RULES.flatMap((rule) => rule(inventory));
  // Array.prototype.sort is stable, so this only moves warnings behind errors.
  return findings.sort((a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning'));
}
