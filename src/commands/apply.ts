import type { Command } from 'commander';
import { STAGES } from '../steps/stages.js';
import { notBuiltYet } from './not-built.js';
import type { CommandContext } from './types.js';

export function configure(command: Command): void {
  command
    .option('-i, --inventory <file>', 'inventory file', 'inventory.yaml')
    .option('--plan', 'show the stages and steps, with the hosts each runs on, without touching any host')
    .addHelpText(
      'after',
      `
apply runs the stages in order: ${STAGES.map((stage) => stage.id).join(', ')}.
It first loads the inventory and checks Wire's rules; any
error stops it before anything is contacted (exit 2).

Status: --plan works from the inventory alone (no host is contacted). Running the stages
on hosts is not built yet (issue 3) and exits 1 without changing anything.

Examples:
  wire-install apply --plan --inventory inventory.example.yaml
  wire-install apply --plan --json | jq '.stages[].steps[].id'`,
    );
}

export async function run(options: Record<string, unknown>, context: CommandContext): Promise<number> {
  // Imported here, not at the top: `apply --help` should not pay for zod, js-yaml and the planner.
  const { loadAndCheckInventory } = await import('./inventory-check.js');
  const { buildPlan } = await import('../plan/build-plan.js');
  const { renderPlan } = await import('../plan/render-plan.js');
  const loaded = await loadAndCheckInventory(String(options.inventory), context);
  if (!options.plan) return notBuiltYet('apply', 'issue 3; use --plan to preview', context);
  renderPlan(buildPlan(loaded.inventory), context.output);
  return 0;
}
