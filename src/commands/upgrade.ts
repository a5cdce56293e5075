import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';
import type { CommandContext } from './types.js';

/** `wire-install upgrade`: moves an installation to the bundle's Wire version: pre-checks, backups, ordered helm upgrades, rollback. Not built yet (issue 7). */
export function configure(command: Command): void {
  command
    .option('-i, --inventory <file>', 'inventory file', 'inventory.yaml')
    .option('--bundle <dir>', 'the unpacked offline bundle of the target version')
    .option('--plan', 'show every step without changing anything')
    .addHelpText(
      'after',
      `
What it will do: moves an installation to the bundle's Wire version: pre-checks, backups, ordered helm upgrades, rollback.
Status: not built yet (issue 7); it exits 1 and changes nothing.

Example:
  wire-install upgrade --bundle ../wire-server-deploy-static-NEW --plan`,
    );
}

export async function run(_options: Record<string, unknown>, context: CommandContext): Promise<number> {
  return notBuiltYet('upgrade', 'issue 7', context);
}
