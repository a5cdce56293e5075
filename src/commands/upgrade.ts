import type { Command } from 'commander';
import { ExitCode } from '../core/errors.js';
import type { CommandContext } from './types.js';

/** `wire-install upgrade`: moves an installation to the bundle's Wire version. Built so far: the version plan (issue 7). */
export function configure(command: Command): void {
  command
    .option('-i, --inventory <file>', 'inventory file', 'inventory.yaml')
    .option('--bundle <dir>', 'the unpacked offline bundle of the target version')
    .option('--plan', 'show every step without changing anything')
    .addHelpText(
      'after',
      `
Reads the installed wire-server version (the state, and the cluster when there is one) and the
bundle's, then lists every version in between: those Wire declared broken are skipped (5.29;
5.26 with federation), a broken target is refused, and each version's changes are shown as
automatic (wire-install makes them) or actions (to do by hand). docs/upgrade.md has the table.

Status: --plan shows the version plan. The upgrade itself (pre-checks, backups, helm upgrades,
rollback) is not built yet (issue 7): without --plan it shows the plan, changes nothing, exit 1.

Exit codes: 0 plan shown, 2 bad input or a refused version, 1 not built yet.

Example:
  wire-install upgrade --bundle ../wire-server-deploy-static-NEW --plan`,
    );
}

export async function run(options: Record<string, unknown>, context: CommandContext): Promise<number> {
  const { showVersionPlan } = await import('../upgrade/show-version-plan.js');
  const { notBuiltYet } = await import('./not-built.js');
  const { exitCode } = await showVersionPlan({
    inventoryPath: String(options.inventory),
    bundle: options.bundle === undefined ? undefined : String(options.bundle),
    cwd: context.cwd,
    env: context.env,
    output: context.output,
    signal: context.signal,
  });
  if (exitCode !== ExitCode.ok || options.plan) return exitCode;
  return notBuiltYet('upgrade (the upgrade run after the plan)', 'issue 7', context);
}
