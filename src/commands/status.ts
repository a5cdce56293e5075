import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';
import type { CommandContext } from './types.js';

/** `wire-install status`: shows, per step and host, what the last apply did (from .wire-install/state.json). Not built yet (issue 3). */
export function configure(command: Command): void {
  command.option('-i, --inventory <file>', 'inventory file', 'inventory.yaml').addHelpText(
    'after',
    `
What it will do: shows, per step and host, what the last apply did (from .wire-install/state.json).
Status: not built yet (issue 3); it exits 1 and changes nothing.

Example:
  wire-install status --inventory inventory.yaml`,
  );
}

export async function run(_options: Record<string, unknown>, context: CommandContext): Promise<number> {
  return notBuiltYet('status', 'issue 3', context);
}
