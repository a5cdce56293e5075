import { join } from 'node:path';
import type { ApplyContext } from '../apply/types.js';
import { adminKubeconfigPath } from '../cluster/kubeconfig.js';
import type { Output } from '../core/output.js';
import type { EngineStage, EngineStep } from '../engine/types.js';
import { shellQuote } from '../hosts/become.js';
import { STATE_DIR } from '../state/store.js';
import { stepsForMode } from '../steps/registry.js';
import type { Mode } from '../steps/types.js';
import { replaceAddressOperation } from '../wire/cassandra-replace.js';
import {
  confirmTyped,
  editedInventory,
  type HostChangeFlags,
  openHostChange,
  recordRemoval,
  runInventory,
  showChangePlan,
  surveyHosts,
} from './host-change.js';
import { planReplacement, type ReplacementPlan, selects } from './replace-plan.js';
import { postgresqlChartInstalled, runChange } from './run-remove-host.js';
import { followUpSteps, removeHostStage, reseedInventory, withReseedSteps } from './stages.js';

/** `wire-install replace-host OLD --with NEW`'s flags: remove-host's, NEW, and the apply steps that install NEW. */
export interface ReplaceHostFlags extends HostChangeFlags {
  replacement: string;
  only?: string;
}

export const REPLACE_HOST_STAGE = 'replace-host';
export const REPLACE_HEALTH_STAGE = 'replace-host-health';
const PROMOTE_STEP = 'remove-host.postgresql-promote';
const ETCD_MEMBER_STEP = 'remove-host.etcd-member-remove';
const REPLACE_ADDRESS_STEP = `${REPLACE_HOST_STAGE}.cassandra-replace-address`;
const isHealthCheck = (id: string) => id.endsWith('-health');

function showPlan(plan: ReplacementPlan, output: Output): void {
  showChangePlan(
    output,
    `replace-host ${plan.old} --with ${plan.replacement} (roles: ${plan.removal.roles.join(', ')})`,
    plan,
  );
  output.data({
    type: 'replace-host-plan',
    old: plan.old,
    replacement: plan.replacement,
    refusals: plan.refusals,
    actions: plan.actions,
    warnings: plan.warnings,
    promote: plan.removal.promote ?? null,
    cassandraReplaces: plan.cassandraReplaces ?? null,
  });
}

/**
 * The run, in the order a replacement needs: the promotion of a PostgreSQL standby, the etcd
 * member of a control plane that does not answer, and NEW's Cassandra drop-in first; then Wire's stages on the inventory without OLD (NEW is installed),
 * their health checks held back; then remove-host's steps for OLD; then the health checks, which
 * expect OLD gone (a ring member or cluster node that no inventory host has fails them).
 */
export function replacementStages(
  plan: ReplacementPlan,
  wire: readonly EngineStage[],
  removal: EngineStage,
): EngineStage[] {
  // First: a promotion, and the etcd member of a control plane that is gone (etcd counts it
  // against quorum: a member is removed before another one joins, as etcd's docs ask).
  const early = (step: EngineStep) =>
    step.id === PROMOTE_STEP || (step.id === ETCD_MEMBER_STEP && !plan.removal.removedAnswers);
  const prepare: EngineStep[] = removal.steps.filter(early);
  const address = plan.cassandraReplaces;
  if (address)
    prepare.push({
      id: REPLACE_ADDRESS_STEP,
      title: `${plan.replacement} replaces the Cassandra node ${address} on its first boot`,
      hosts: [plan.replacement],
      alwaysRun: true,
      operations: () => [replaceAddressOperation(address)],
    });
  const health: EngineStep[] = [];
  const trimmed = wire.map((stage) => ({
    ...stage,
    steps: stage.steps.filter((step) => {
      if (!isHealthCheck(step.id)) return true;
      health.push(step);
      return false;
    }),
  }));
  return [
    {
      id: REPLACE_HOST_STAGE,
      title: `Prepare ${plan.replacement} to take ${plan.old}'s place`,
      steps: prepare,
    },
    ...trimmed,
    { ...removal, steps: removal.steps.filter((step) => !early(step)) },
    { id: REPLACE_HEALTH_STAGE, title: `Health after ${plan.old} left`, steps: health },
  ];
}

/**
 * What the run selects: with --only, the operator's steps and stages, the replacement's own
 * steps (the stages above replace-host and remove-host, and remove-host's follow-ups), and the
 * health checks of what is selected (by their step id or their stage's: they moved to the last
 * stage); without --only, everything (undefined).
 */
export function replacementSelection(
  mode: Mode,
  userOnly: string | undefined,
  removal: EngineStage,
  followUps: readonly string[],
): string | undefined {
  if (!userOnly) return undefined;
  const health = stepsForMode(mode)
    .filter((step) => isHealthCheck(step.id) && selects(userOnly, step.stage, step.id))
    .map((step) => step.id);
  return [
    userOnly,
    REPLACE_HOST_STAGE,
    removal.id,
    ...followUps.filter((id) => !health.includes(id)),
    ...health,
  ].join(',');
}

export async function runReplaceHost(flags: ReplaceHostFlags, context: ApplyContext): Promise<number> {
  const { output } = context;
  const opened = await openHostChange(flags, context, 'replace-host');
  const { loaded, stateDir } = opened;
  const survey = await surveyHosts(opened, flags, context, 'replace-host');
  const plan = planReplacement(loaded.inventory, flags.host, flags.replacement, survey, flags.only);
  showPlan(plan, output);
  if (plan.refusals.length > 0) return 2;
  const inventoryText = await editedInventory(loaded, plan.removal);
  if (flags.plan) return 0;
  await confirmTyped(
    flags,
    context,
    'replace-host',
    `Type ${flags.host} to replace it by ${flags.replacement} and take it out of the installation:`,
  );

  // The command to run again, with every flag that changes what runs (not --plan or --json).
  const again = [
    `wire-install replace-host ${flags.host} --with ${flags.replacement} -i ${shellQuote(loaded.file)}`,
    ...(flags.secrets ? [`--secrets ${shellQuote(flags.secrets)}`] : []),
    ...(flags.only ? [`--only ${shellQuote(flags.only)}`] : []),
    ...(flags.allowUnsupportedOs ? ['--allow-unsupported-os'] : []),
    ...(flags.allowUndersized ? ['--allow-undersized'] : []),
    `--confirm ${flags.host}`,
  ].join(' ');
  const removal = removeHostStage(plan.removal, adminKubeconfigPath(loaded.inventory, loaded.baseDir));
  const followUps = followUpSteps(plan.removal, await postgresqlChartInstalled(stateDir));
  const { wireEngineStages } = await import('../plan/engine-stages.js');
  const code = await runChange(
    flags,
    runInventory(loaded, plan.removal, removal),
    context,
    (_inventory, dir, options) => {
      const wire = wireEngineStages(plan.removal.inventory, dir, options);
      // The seed: its cassandra.yaml names the new seed too before it leaves (src/remove-host/stages.ts).
      const reseeded =
        plan.removal.cassandraReseed && plan.removal.removedAnswers
          ? withReseedSteps(
              wire,
              wireEngineStages(reseedInventory(plan.removal, loaded.inventory), dir, options),
            )
          : wire;
      return replacementStages(plan, reseeded, removal);
    },
    replacementSelection(loaded.inventory.mode, flags.only, removal, followUps),
    again,
  );
  if (code !== 0) {
    output.errorLine(
      `replace-host: stopped; ${flags.host} is still in ${loaded.file}. Fix what is shown above and run \`${again}\` again: what was done is not done twice.`,
    );
    return code;
  }
  await recordRemoval(opened, inventoryText);
  output.line(
    `${flags.replacement} has replaced ${flags.host}: ${loaded.file}, ${join(STATE_DIR, 'state.json')} and ${join(STATE_DIR, 'known_hosts')} no longer name ${flags.host}.`,
  );
  output.data({
    type: 'replace-host-done',
    old: flags.host,
    replacement: flags.replacement,
    promoted: plan.removal.promote ?? null,
  });
  return 0;
}
