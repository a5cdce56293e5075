import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';
import type { CommandContext } from './types.js';

/** `wire-install doctor`: diagnoses local tools, hosts, DNS, certificates and the cluster; exit 3 when it finds problems. Not built yet (issue 6). */
export function configure(command: Command): void {
  command.option('-i, --inventory <file>', 'inventory file', 'inventory.yaml').addHelpText(
    'after',
    `
What it will do: diagnoses local tools, hosts, DNS, certificates and the cluster; exit 3 when it finds problems.
Status: not built yet (issue 6); it exits 1 and changes nothing.

Example:
  wire-install doctor --inventory inventory.yaml`,
  );
}

export async function run(_options: Record<string, unknown>, context: CommandContext): Promise<number> {
  return notBuiltYet('doctor', 'issue 6', context);
}
