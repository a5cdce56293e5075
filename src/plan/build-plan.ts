import type { Inventory } from '../inventory/defaults.js';
import type { Role } from '../inventory/roles.js';
import type { WireStep } from '../steps/define-step.js';
import { allSteps } from '../steps/registry.js';
import { STAGES, type StageId } from '../steps/stages.js';
import type { Mode, StepOrder, StepTarget } from '../steps/types.js';

/**
 * The plan `apply --plan` shows: the steps of the inventory's mode, stage by stage, each with
 * the hosts it runs on and why. Pure: built from the inventory alone, no host is contacted.
 */

export interface PlannedHost {
  name: string;
  /** Why this host, e.g. "role cassandra", "all hosts", "role postgresql, first listed". */
  reason: string;
}

export interface PlannedStep {
  id: string;
  title: string;
  stage: StageId;
  target: 'admin' | 'hosts';
  /** In inventory order (the order serial steps go in); empty for admin steps. */
  hosts: PlannedHost[];
  /** How the step spreads over its hosts; null for admin steps, which run once. */
  order: StepOrder | null;
  why: string;
  /** --force names it: it runs even where its checkpoint is current. */
  forced?: boolean;
}

export interface PlannedStage {
  id: StageId;
  title: string;
  steps: PlannedStep[];
  /** Why the whole stage does not run for this inventory. */
  skipped?: string;
}

export interface SkippedStep {
  id: string;
  stage: StageId;
  title: string;
  reason: string;
}

export interface Plan {
  mode: Mode;
  domain: string;
  hosts: { name: string; roles: Role[] }[];
  stages: PlannedStage[];
  /** Steps of this mode that do not run, each with the reason (condition false, or no host to run on). */
  skippedSteps: SkippedStep[];
  /** Steps that --only or --from leave out, each with the flag (src/plan/select-plan.ts). */
  notSelected?: SkippedStep[];
  /** --only, --from, --force, when the plan shows a selection (src/plan/select-plan.ts). */
  selection?: { only?: string; from?: string; force?: string };
}

type Selection = { hosts: PlannedHost[] } | { skip: string };
type HostsTarget = Extract<StepTarget, { kind: 'hosts' }>;

function describeRoles(roles: readonly Role[]): string {
  return roles.length === 1 ? `role ${roles[0]}` : `roles ${roles.join(', ')}`;
}

function roleSelector(roles: readonly Role[], exceptRoles: readonly Role[] | undefined): string {
  const base = roles.length === 1 ? `role ${roles[0]}` : `any of the roles ${roles.join(', ')}`;
  return exceptRoles?.length ? `${base} without ${exceptRoles.join(' or ')}` : base;
}

/** The hosts a hosts-target names, in inventory order, each with why it was chosen. */
function matchHosts(inventory: Inventory, target: HostsTarget): PlannedHost[] {
  if (target.roles === 'all')
    return inventory.hosts.map((host) => ({ name: host.name, reason: 'all hosts' }));
  const wanted = target.roles;
  const except = target.exceptRoles ?? [];
  return inventory.hosts
    .filter((host) => !host.roles.some((role) => except.includes(role)))
    .map((host) => ({ name: host.name, roles: wanted.filter((role) => host.roles.includes(role)) }))
    .filter((host) => host.roles.length > 0)
    .map((host) => ({ name: host.name, reason: describeRoles(host.roles) }));
}

function selectHosts(inventory: Inventory, step: WireStep): Selection {
  const { target } = step;
  if (target.kind === 'admin') return { hosts: [] };
  const selector =
    target.roles === 'all' ? 'is in the inventory' : `has ${roleSelector(target.roles, target.exceptRoles)}`;
  const matched = matchHosts(inventory, target);
  const [first] = matched;
  if (!first) return { skip: `no host ${selector}` };
  switch (step.order ?? 'parallel') {
    case 'first-host-only':
      return { hosts: [{ name: first.name, reason: `${first.reason}, first listed` }] };
    case 'after-first-serial':
      if (matched.length === 1)
        return { skip: `only ${first.name} ${selector}: there is no other host to add` };
      return {
        hosts: matched.slice(1).map((host) => ({ ...host, reason: `${host.reason}, after ${first.name}` })),
      };
    default:
      return { hosts: matched };
  }
}

export function buildPlan(inventory: Inventory): Plan {
  const skippedSteps: SkippedStep[] = [];
  const modeSteps = allSteps.filter((step) => step.modes.includes(inventory.mode));
  const withDomain = (text: string) => text.replaceAll('<domain>', inventory.domain);
  const title = (step: WireStep) => withDomain(step.title);

  const stages = STAGES.map((stage): PlannedStage => {
    const stageSkip = stage.skip?.(inventory);
    if (stageSkip) return { id: stage.id, title: stage.title, steps: [], skipped: stageSkip };

    const steps: PlannedStep[] = [];
    for (const step of modeSteps.filter((candidate) => candidate.stage === stage.id)) {
      const skip = (reason: string) =>
        skippedSteps.push({ id: step.id, stage: step.stage, title: title(step), reason });
      if (step.when && !step.when.applies(inventory)) {
        skip(step.when.otherwise);
        continue;
      }
      const selection = selectHosts(inventory, step);
      if ('skip' in selection) {
        skip(selection.skip);
        continue;
      }
      steps.push({
        id: step.id,
        title: title(step),
        stage: step.stage,
        target: step.target.kind,
        hosts: selection.hosts,
        order: step.target.kind === 'admin' ? null : (step.order ?? 'parallel'),
        why: withDomain(step.why),
      });
    }
    return steps.length > 0
      ? { id: stage.id, title: stage.title, steps }
      : {
          id: stage.id,
          title: stage.title,
          steps,
          skipped: 'every step of this stage is skipped (see below)',
        };
  });

  return {
    mode: inventory.mode,
    domain: inventory.domain,
    hosts: inventory.hosts.map((host) => ({ name: host.name, roles: [...host.roles] })),
    stages,
    skippedSteps,
  };
}

/** The steps that run, in order, across every stage. */
export function plannedSteps(plan: Plan): PlannedStep[] {
  return plan.stages.flatMap((stage) => stage.steps);
}
