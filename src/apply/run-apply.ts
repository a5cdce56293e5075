import { type ApplyContext, type ApplyFlags, stepSelection } from './types.js';

/**
 * One `wire-install apply`, from its parsed flags: the inventory loaded and checked against
 * Wire's rules (an error stops it before anything is contacted, exit 2), then the plan from the
 * inventory alone (--plan --offline) or the run on the hosts (src/apply/run-on-hosts.ts).
 */
export async function runApply(flags: ApplyFlags, context: ApplyContext): Promise<number> {
  // Imported here, not at the top: the offline plan does not load the engine, SSH or the steps' operations.
  const { loadAndCheckInventory } = await import('../rules/load-and-check.js');
  const loaded = await loadAndCheckInventory(flags.inventory, context);
  if (flags.plan && flags.offline) {
    const { buildPlan } = await import('../plan/build-plan.js');
    const { renderPlan } = await import('../plan/render-plan.js');
    const { selectPlan } = await import('../plan/select-plan.js');
    renderPlan(selectPlan(buildPlan(loaded.inventory), stepSelection(flags)), context.output);
    return 0;
  }
  const { runOnHosts } = await import('./run-on-hosts.js');
  return runOnHosts(flags, loaded, context);
}
