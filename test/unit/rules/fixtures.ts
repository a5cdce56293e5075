import type { Finding } from '../../../src/core/finding.js';
import type { HostInput, InventoryInput } from '../../../src/inventory/schema.js';

export { datanode, demo, demoInput, production, productionInput } from '../../support/inventories.js';

/** The host of that name in an input being edited; throws so a typo cannot pass silently. */
export function host(input: InventoryInput, name: string): HostInput {
  const found = input.hosts.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no host ${name} in the fixture`);
  return found;
}

/** The findings of one rule. */
export function byRule(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((finding) => finding.rule === rule);
}

/** The single finding of a rule; throws (failing the test) when there is none or several. */
export function single(findings: readonly Finding[], rule: string): Finding {
  const matching = byRule(findings, rule);
  if (matching.length !== 1) {
    throw new Error(
      `expected one ${rule} finding, got ${matching.length}: ${JSON.stringify(findings, null, 2)}`,
    );
  }
  return matching[0] as Finding;
}
