import type { Command } from 'commander';
import type { CliContext } from './types.js';

/** `wire-install status`: the checkpoint table of the installation (.wire-install/state.json). */
export function configure(command: Command): void {
  command
    .option('-i, --inventory <file>', 'inventory file (the state is beside it)', 'inventory.yaml')
    .option('--hosts', 'one line per step and host instead of one per step')
    .addHelpText(
      'after',
      `
Shows what apply recorded after every step on every host: succeeded or failed, when, in
which run, and for failures the first line of the error. Reads only local files: no host
is contacted. A run in progress (the lock) is named.

Examples:
  wire-install status -i inventory.yaml
  wire-install status --hosts
  wire-install status --json | jq 'select(.status == "failed")'`,
    );
}

/** `wire-install status`'s flags. */
export interface StatusFlags {
  /** -i: the inventory file; the state is beside it. */
  inventory: string;
  /** --hosts: one line per step and host. */
  perHost: boolean;
}

export function parseStatusFlags(options: Record<string, unknown>): StatusFlags {
  return { inventory: String(options.inventory), perHost: Boolean(options.hosts) };
}

export async function run(options: Record<string, unknown>, context: CliContext): Promise<number> {
  const flags = parseStatusFlags(options);
  const { showStatus } = await import('./status-table.js');
  return showStatus(flags.inventory, flags.perHost, context);
}
