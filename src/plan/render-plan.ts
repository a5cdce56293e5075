import type { Output } from '../core/output.js';
import type { Plan, PlannedHost, PlannedStep } from './build-plan.js';
import { NOT_SELECTED } from './select-plan.js';
import { wrap } from './wrap.js';

/**
 * Prints a plan for people (80 columns, colour only on headings, ids and skips), or, with
 * --json, as one {type:'plan'} record holding everything.
 */

const WIDTH = 80;
const STEP_INDENT = '      ';
const DETAIL_INDENT = `${STEP_INDENT}     `;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "datanode1, datanode2, datanode3 (role cassandra)": hosts grouped by the reason they were chosen. */
function describeHosts(hosts: readonly PlannedHost[]): string {
  const groups = new Map<string, string[]>();
  for (const host of hosts) groups.set(host.reason, [...(groups.get(host.reason) ?? []), host.name]);
  return [...groups].map(([reason, names]) => `${names.join(', ')} (${reason})`).join('; ');
}

function describeTarget(step: PlannedStep): string {
  if (step.target === 'admin') return 'admin host';
  const hosts = describeHosts(step.hosts);
  if (step.order === 'serial' || step.order === 'after-first-serial') return `${hosts}, one at a time`;
  if (step.order === 'parallel' && step.hosts.length > 1) return `${hosts}, in parallel`;
  return hosts;
}

function stepLines(step: PlannedStep, number: number, output: Output): string[] {
  const c = output.color;
  const label = `${String(number).padStart(4)}. `;
  const lines = [
    ...wrap(step.title, label, STEP_INDENT, WIDTH),
    `${STEP_INDENT}${c.dim(step.id)}${step.forced ? c.yellow('  (forced: runs even where its checkpoint is current)') : ''}`,
    ...wrap(describeTarget(step), `${STEP_INDENT}on:  `, DETAIL_INDENT, WIDTH),
  ];
  // The reasons double the length of the plan; they are one flag away.
  if (output.verbose) lines.push(...wrap(step.why, `${STEP_INDENT}why: `, DETAIL_INDENT, WIDTH));
  return lines;
}

export function renderPlan(plan: Plan, output: Output): void {
  if (output.json) {
    output.data({ type: 'plan', ...plan });
    return;
  }
  const c = output.color;
  const steps = plan.stages.reduce((sum, stage) => sum + stage.steps.length, 0);
  const running = plan.stages.filter((stage) => !stage.skipped).length;
  const unselectedStages = plan.stages.filter((stage) => stage.skipped === NOT_SELECTED).length;
  const skippedStages = plan.stages.length - running - unselectedStages;

  output.line(c.bold(`Plan for ${plan.domain} (${plan.mode})`));
  const counts = [
    `${plural(plan.hosts.length, 'host')}, ${plural(steps, 'step')} in ${plural(running, 'stage')}`,
    skippedStages > 0 ? `${plural(skippedStages, 'stage')} skipped` : undefined,
    plan.notSelected?.length ? `${plural(plan.notSelected.length, 'step')} not selected` : undefined,
    plan.skippedSteps.length > 0 ? `${plural(plan.skippedSteps.length, 'step')} skipped` : undefined,
  ].filter(Boolean);
  for (const line of wrap(`${counts.join('; ')}.`, '', '', WIDTH)) output.line(line);
  output.line('Nothing was connected to; this is the plan from the inventory alone.');
  const chosen = Object.entries(plan.selection ?? {}).filter(([, value]) => value !== undefined);
  if (chosen.length > 0)
    output.line(`Selected with ${chosen.map(([flag, value]) => `--${flag} ${value}`).join(' ')}.`);
  if (!output.verbose) output.line(c.dim('Add --verbose to see why each step exists.'));

  let number = 0;
  plan.stages.forEach((stage, index) => {
    output.line();
    output.line(c.bold(`${index + 1}. ${stage.title}`));
    if (stage.skipped) {
      for (const line of wrap(`skipped: ${stage.skipped}`, '   ', '            ', WIDTH))
        output.line(c.yellow(line));
      return;
    }
    for (const step of stage.steps) {
      number += 1;
      for (const line of stepLines(step, number, output)) output.line(line);
    }
  });

  if (plan.skippedSteps.length > 0) {
    output.line();
    output.line(c.bold(`Skipped steps (${plan.skippedSteps.length})`));
    for (const skipped of plan.skippedSteps) {
      output.line(`  ${c.yellow(skipped.id)}`);
      for (const line of wrap(skipped.reason, '      ', '      ', WIDTH)) output.line(line);
    }
  }
  // What the flags leave out says nothing about the installation: listed only on request.
  if (plan.notSelected?.length && output.verbose) {
    output.line();
    output.line(c.bold(`Not selected (${plan.notSelected.length})`));
    for (const step of plan.notSelected) output.line(`  ${c.dim(step.id)}  ${step.reason}`);
  }
}
