import { join } from 'node:path';
import type { ApplyContext, EngineRunFlags, EngineStagesFactory } from '../apply/types.js';
import { adminKubeconfigPath } from '../cluster/kubeconfig.js';
import type { Output } from '../core/output.js';
import type { LoadedInventory } from '../inventory/load.js';
import { loadState, STATE_DIR } from '../state/store.js';
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
import { planRemoval, type RemovalPlan } from './plan.js';
import {
  followUpSteps,
  POSTGRESQL_CHART_STEP,
  REMOVE_HOST_STAGE,
  RESEED_STEP_IDS,
  removeHostStage,
  reseedFirst,
  reseedInventory,
} from './stages.js';

/** `wire-install remove-host`'s flags. */
export type RemoveHostFlags = HostChangeFlags;

function showPlan(plan: RemovalPlan, output: Output): void {
  showChangePlan(output, `remove-host ${plan.host} (roles: ${plan.roles.join(', ')})`, plan);
  output.data({ type: 'remove-host-plan', ...plan, inventory: undefined });
}

export async function runRemoveHost(flags: RemoveHostFlags, context: ApplyContext): Promise<number> {
  const { output } = context;
  const opened = await openHostChange(flags, context, 'remove-host');
  const { loaded, stateDir } = opened;
  const plan = planRemoval(
    loaded.inventory,
    flags.host,
    await surveyHosts(opened, flags, context, 'remove-host'),
  );
  showPlan(plan, output);
  if (plan.refusals.length > 0) return 2;
  const inventoryText = await editedInventory(loaded, plan);
  if (flags.plan) return 0;
  await confirmTyped(flags, context, 'remove-host', `Type ${flags.host} to remove it from the installation:`);

  const kubeconfigPath = adminKubeconfigPath(loaded.inventory, loaded.baseDir);
  const stage = removeHostStage(plan, kubeconfigPath);
  const chartInstalled = await postgresqlChartInstalled(stateDir);
  const reseed = plan.cassandraReseed !== undefined;
  const steps = [
    ...(reseed ? RESEED_STEP_IDS : []),
    ...stage.steps.map((step) => step.id),
    ...followUpSteps(plan, chartInstalled),
  ];
  if (steps.length > 0) {
    const { wireEngineStages } = await import('../plan/engine-stages.js');
    const code = await runChange(
      flags,
      runInventory(loaded, plan, stage),
      context,
      // Wire's steps for the inventory after the removal, whatever hosts the run connects to;
      // the seed's removal makes another node the seed first (src/remove-host/stages.ts).
      (_inventory, dir, options) => {
        const wire = wireEngineStages(plan.inventory, dir, options);
        if (!reseed) return [stage, ...wire];
        return reseedFirst(
          stage,
          wire,
          wireEngineStages(reseedInventory(plan, loaded.inventory), dir, options),
          plan.removedAnswers ? 'answers' : 'gone',
        );
      },
      steps.join(','),
      `wire-install remove-host ${flags.host} -i ${loaded.file}`,
    );
    if (code !== 0) {
      output.errorLine(
        `remove-host: stopped; ${flags.host} is still in ${loaded.file}. Fix what is shown above and run \`wire-install remove-host ${flags.host} --confirm ${flags.host}\` again: what was done is not done twice.`,
      );
      return code;
    }
  }
  await recordRemoval(opened, inventoryText);
  output.line(
    `${flags.host} is out: ${loaded.file}, ${join(STATE_DIR, 'state.json')} and ${join(STATE_DIR, 'known_hosts')} no longer name it.`,
  );
  if (plan.promote && !chartInstalled)
    output.line(
      `Next, once Wire's charts are installed: wire-install apply -i ${flags.inventory}   # postgresql-external points wire-server at the new primary ${plan.promote}`,
    );
  output.data({
    type: 'remove-host-done',
    host: flags.host,
    promoted: plan.promote ?? null,
    stage: REMOVE_HOST_STAGE,
  });
  return 0;
}

/** state.json records the postgresql-external chart as installed (then a promotion re-applies it). */
export async function postgresqlChartInstalled(stateDir: string): Promise<boolean> {
  return Object.values((await loadState(stateDir)).steps[POSTGRESQL_CHART_STEP] ?? {}).some(
    (record) => record.status === 'succeeded',
  );
}

/** The engine run of a host change: apply's lock, log, checkpoints and events, on `stages`. */
export async function runChange(
  flags: HostChangeFlags,
  loaded: LoadedInventory,
  context: ApplyContext,
  stages: EngineStagesFactory,
  only: string | undefined,
  commandLine: string,
): Promise<number> {
  const { runOnHosts } = await import('../apply/run-on-hosts.js');
  const engineFlags: EngineRunFlags = {
    inventory: flags.inventory,
    ...(flags.secrets ? { secrets: flags.secrets } : {}),
    plan: false,
    ...(only !== undefined ? { only } : {}),
    concurrency: flags.concurrency,
    uploadConcurrency: 4,
    helmTimeout: '15m',
    strictHostKeys: flags.strictHostKeys,
    // replace-host's new host goes through apply's preflight; remove-host's run has none.
    allowUnsupportedOs: flags.allowUnsupportedOs === true,
    allowUndersized: flags.allowUndersized === true,
  };
  return runOnHosts(engineFlags, loaded, { ...context, engineStages: stages }, { commandLine });
}
