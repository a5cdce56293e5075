import { selectSteps } from '../engine/select.js';
import type { StepSelection } from '../engine/types.js';
import type { Plan } from './build-plan.js';

/**
 * `apply --plan --offline` with --only, --from or --force: the plan of exactly what that apply
 * would run. The names are checked by the same code apply uses (an unknown step is bad input,
 * exit 2); steps the selection leaves out go to `notSelected` with the flag that left them
 * out (kept apart from the steps the inventory skips, which say something about the
 * installation), and forced steps are marked.
 */
/** The reason a stage with no selected step shows. */
export const NOT_SELECTED = 'not selected';

export function selectPlan(plan: Plan, selection: StepSelection): Plan {
  if (selection.from === undefined && selection.only === undefined && selection.force === undefined)
    return plan;
  const chosen = new Map(selectSteps(plan.stages, selection).map((step) => [step.stepId, step]));
  const notSelected: Plan['skippedSteps'] = [];
  const stages = plan.stages.map((stage) => {
    if (stage.skipped) return stage;
    const steps = stage.steps.flatMap((step) => {
      const selected = chosen.get(step.id);
      if (selected?.excluded) {
        notSelected.push({ id: step.id, stage: step.stage, title: step.title, reason: selected.excluded });
        return [];
      }
      return [selected?.forced ? { ...step, forced: true } : step];
    });
    return steps.length > 0 ? { ...stage, steps } : { ...stage, steps, skipped: 'not selected' };
  });
  return { ...plan, stages, notSelected, selection };
}
