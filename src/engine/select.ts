import { inputError } from '../core/errors.js';
import type { StepSelection } from './types.js';

/** What selection needs of a stage: the engine's stages and the offline plan's both fit. */
export interface NamedStage {
  id: string;
  steps: readonly { id: string }[];
}

/**
 * --from, --only and --force name a step (`bootstrap-host.apt-sources`) or a whole stage
 * (`bootstrap-host`); --only and --force take a comma-separated list. An unknown name is bad input, reported with the names there are, before
 * anything is contacted.
 */
export interface SelectedStep {
  stageId: string;
  stepId: string;
  /** Why the step does not run in this selection; undefined when it runs. */
  excluded: string | undefined;
  forced: boolean;
}

/** `--only a,b`: a comma-separated list of steps and stages. */
function names(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

function matches(value: string, stageId: string, stepId: string): boolean {
  return names(value).some((name) => name === stepId || name === stageId);
}

function checkSelectionNames(stages: readonly NamedStage[], selection: StepSelection): void {
  const known = new Set<string>();
  for (const stage of stages) {
    known.add(stage.id);
    for (const step of stage.steps) known.add(step.id);
  }
  for (const [flag, value] of Object.entries(selection)) {
    if (value === undefined) continue;
    if (flag === 'from' && names(value).length > 1)
      throw inputError({ what: `--from ${value}: names one step or stage`, next: 'e.g. --from databases' });
    const name = names(value).find((candidate) => !known.has(candidate));
    if (name === undefined) continue;
    throw inputError({
      what: `--${flag} ${name}: there is no such step or stage`,
      evidence: [`steps: ${[...known].join(', ')}`],
      next: 'name a step or stage from the list (wire-install status shows them too)',
    });
  }
}

export function selectSteps(stages: readonly NamedStage[], selection: StepSelection): SelectedStep[] {
  checkSelectionNames(stages, selection);
  const selected: SelectedStep[] = [];
  let reachedFrom = selection.from === undefined;
  for (const stage of stages) {
    for (const step of stage.steps) {
      if (!reachedFrom && selection.from && matches(selection.from, stage.id, step.id)) reachedFrom = true;
      let excluded: string | undefined;
      if (!reachedFrom) excluded = `before --from ${selection.from}`;
      else if (selection.only && !matches(selection.only, stage.id, step.id))
        excluded = `not --only ${selection.only}`;
      const forced = selection.force !== undefined && matches(selection.force, stage.id, step.id);
      selected.push({ stageId: stage.id, stepId: step.id, excluded, forced });
    }
  }
  return selected;
}
