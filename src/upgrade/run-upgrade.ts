import { join, relative, resolve } from 'node:path';
import { verifyBundle } from '../bundle/verify.js';
import type { CommandContext } from '../core/command-context.js';
import { ExitCode, inputError } from '../core/errors.js';
import { loadState, STATE_DIR } from '../state/store.js';
import { backupStage } from './backups/index.js';
import { manifestLines, manifestPath, readBackupManifest } from './backups/manifest.js';
import { rollbackUpgradedReleases } from './charts/rollback.js';
import { CHART_STEP_PREFIX, chartUpgradeStage } from './charts/stage.js';
import { showVersionPlan } from './show-version-plan.js';
import { upgradeEngineStages } from './stages.js';
import type { UpgradeFlags } from './types.js';
import { readUpgradeRecord, targetFor, writeUpgradeRecord } from './upgrade-record.js';
import type { VersionPlan } from './version-path.js';

/**
 * One `wire-install upgrade`: the version plan (refused versions stop here, exit 2), the
 * actions to do by hand confirmed, then apply's engine runs the upgrade's stages (pre-checks,
 * backups, re-seeding, chart upgrades in Wire's upgrade order with the migrations watched,
 * verify) with checkpoints, the lock and the debug log. When a run fails, the releases it
 * upgraded are rolled back in reverse order, and what cannot be rolled back is said. Running
 * the same upgrade again resumes it.
 */

/** The steps this run recorded as failed (the state's records carry the run id). */
async function failedStepsOf(inventoryDir: string, runId: string): Promise<string[]> {
  const state = await loadState(join(inventoryDir, STATE_DIR));
  return Object.entries(state.steps)
    .filter(([, hosts]) =>
      Object.values(hosts).some((record) => record.runId === runId && record.status === 'failed'),
    )
    .map(([step]) => step);
}

function requiredActions(plan: VersionPlan): string[] {
  return plan.notes.flatMap((notes) =>
    notes.actions
      .filter((action) => !action.optional)
      .map((action) => `${notes.version}: ${action.what} (${action.why})`),
  );
}

async function confirmActions(
  actions: readonly string[],
  flags: UpgradeFlags,
  context: CommandContext,
): Promise<void> {
  if (actions.length === 0 || flags.confirmActions) return;
  if (!context.interactive || context.output.json)
    throw inputError({
      what: `this upgrade has ${actions.length} action${actions.length === 1 ? '' : 's'} to do by hand (listed above); nothing was changed`,
      evidence: [...actions],
      next: 'do them (or check they are done), then run again with --confirm-actions',
    });
  const { confirm } = await import('@inquirer/prompts');
  const done = await confirm({
    message: `Are the ${actions.length} action(s) above done, or will you do them as the notes say?`,
    default: false,
  });
  if (!done)
    throw inputError({
      what: 'the actions to do by hand are not confirmed; nothing was changed',
      next: 'run the upgrade again when they are done',
    });
}

/** `upgrade --plan --offline`: the stages and steps the upgrade would run, from local files alone. */
async function showOfflineStages(
  flags: UpgradeFlags,
  context: CommandContext,
  bundleRoot: string,
  plan: VersionPlan,
): Promise<number> {
  const { loadAndCheckInventory } = await import('../rules/load-and-check.js');
  const { loadSecretsForRun } = await import('../secrets/file.js');
  const loaded = await loadAndCheckInventory(flags.inventory, context);
  const secretsPath = flags.secrets
    ? resolve(context.cwd, flags.secrets)
    : join(loaded.baseDir, 'secrets.yaml');
  const target = targetFor(plan.from, plan.to, await readUpgradeRecord(loaded.baseDir));
  const stages = upgradeEngineStages(
    loaded.inventory,
    loaded.baseDir,
    {
      allowUnsupportedOs: flags.allowUnsupportedOs,
      allowUndersized: flags.allowUndersized,
      // An older file's missing keys are made up for the listing only (apply saves them).
      secrets: (await loadSecretsForRun(secretsPath)).secrets,
      secretsPath,
      inventoryDir: loaded.baseDir,
      dnsServer: undefined,
    },
    { bundleRoot, target },
    { backup: backupStage, charts: chartUpgradeStage },
  );
  const { output } = context;
  output.data({
    type: 'upgrade-steps',
    id: target.id,
    stages: stages.map((stage) => ({
      id: stage.id,
      title: stage.title,
      steps: stage.steps.map((step) => ({
        id: step.id,
        title: step.title,
        hosts: step.hosts,
        ...(step.unavailable ? { unavailable: step.unavailable } : {}),
      })),
    })),
  });
  output.line('');
  output.line(
    `upgrade ${target.id}: the steps, in order (nothing contacted; run without --offline to check the hosts)`,
  );
  for (const stage of stages) {
    output.line(`${stage.id}: ${stage.title}`);
    for (const step of stage.steps) {
      const where = step.admin ? 'admin host' : step.hosts.join(', ');
      output.line(`  ${step.id}  (${where})${step.unavailable ? `  cannot run: ${step.unavailable}` : ''}`);
    }
  }
  return ExitCode.ok;
}

export async function runUpgrade(flags: UpgradeFlags, context: CommandContext): Promise<number> {
  const planOnly = flags.plan;
  const { plan, exitCode } = await showVersionPlan({
    inventoryPath: flags.inventory,
    bundle: flags.bundle,
    cwd: context.cwd,
    env: context.env,
    output: context.output,
    signal: context.signal,
    offline: planOnly && flags.offline,
  });
  if (exitCode !== ExitCode.ok || plan.nothingToUpgrade) return exitCode;
  // showVersionPlan refused a missing --bundle.
  const bundleRoot = resolve(context.cwd, flags.bundle ?? '');
  const problems = await verifyBundle(bundleRoot);
  if (planOnly && flags.offline) {
    // Local files only: the bundle's problems are shown, the run would refuse them.
    for (const problem of problems) context.output.warn(`the new bundle: ${problem.message}`);
    return showOfflineStages(flags, context, bundleRoot, plan);
  }
  if (problems.length > 0)
    throw inputError({
      what: `the new bundle in ${bundleRoot} is not usable: ${problems.length} problem(s); nothing was changed`,
      evidence: problems.map((problem) => problem.message),
      next: problems[0]?.fix ?? 'unpack the new bundle again',
    });
  if (!planOnly) await confirmActions(requiredActions(plan), flags, context);

  const { loadAndCheckInventory } = await import('../rules/load-and-check.js');
  const loaded = await loadAndCheckInventory(flags.inventory, context);
  const previous = await readUpgradeRecord(loaded.baseDir);
  const target = targetFor(plan.from, plan.to, previous);
  const startedAt = previous?.id === target.id ? previous.startedAt : new Date().toISOString();
  if (!planOnly) await writeUpgradeRecord(loaded.baseDir, { ...target, startedAt, status: 'running' });

  let runId: string | undefined;
  // On apply's engine: its checkpoints, lock and debug log, with the upgrade's stages in place of Wire's.
  const { runOnHosts } = await import('../apply/run-on-hosts.js');
  const run = () =>
    runOnHosts(
      flags,
      loaded,
      {
        ...context,
        engineStages: (inventory, inventoryDir, stageOptions) =>
          upgradeEngineStages(
            inventory,
            inventoryDir,
            stageOptions,
            { bundleRoot, target, inventoryPath: loaded.file },
            { backup: backupStage, charts: chartUpgradeStage },
          ),
      },
      {
        commandLine: `wire-install upgrade${planOnly ? ' --plan' : ''} --bundle ${bundleRoot} -i ${loaded.file}`,
        onRunStarted: (id) => {
          runId = id;
        },
      },
    );
  let result: number;
  try {
    result = await run();
  } catch (error) {
    // Refused before it ran (the lock, a step that cannot run): not under way any more.
    if (!planOnly)
      await writeUpgradeRecord(loaded.baseDir, {
        ...target,
        startedAt,
        status: 'failed',
        finishedAt: new Date().toISOString(),
      });
    throw error;
  }
  if (planOnly) return result;
  const finish = (status: 'failed' | 'rolled-back' | 'succeeded') =>
    writeUpgradeRecord(loaded.baseDir, {
      ...target,
      startedAt,
      status,
      finishedAt: new Date().toISOString(),
    });
  if (result === ExitCode.ok && (flags.only || flags.from)) {
    // Part of the upgrade ran: it stays under way, and the next run continues it (same id).
    await writeUpgradeRecord(loaded.baseDir, { ...target, startedAt, status: 'running' });
    context.output.line(
      `upgrade ${target.id}: the selected steps are done; run it without --only/--from to finish it`,
    );
    return result;
  }
  if (result === ExitCode.ok) {
    await finish('succeeded');
    const manifest = await readBackupManifest(manifestPath(loaded.baseDir, target.id));
    if (manifest) {
      context.output.line(`backups of upgrade ${target.id} (restoring: docs/restore.md):`);
      for (const line of manifestLines(manifest)) context.output.line(`  ${line}`);
    }
    context.output.line(
      `upgrade ${target.from} -> ${target.to} done. Next: set bundle.path in ${relative(context.cwd, loaded.file) || loaded.file} to ${bundleRoot}, so apply uses the new bundle`,
    );
    return result;
  }
  if (result !== ExitCode.failed || runId === undefined) {
    // Interrupted (130): nothing is rolled back; the next run resumes where this one stopped.
    await finish('failed');
    return result;
  }
  // Only a failure among the chart upgrades is rolled back. Before them nothing was upgraded;
  // after them (migrations confirmed, verify) the releases are all upgraded and the schema
  // migrated: rolling every release back onto the new schema would hide the problem, not fix it.
  const failedSteps = await failedStepsOf(loaded.baseDir, runId);
  if (!failedSteps.some((step) => step.startsWith(CHART_STEP_PREFIX))) {
    const upgradedAlready = failedSteps.some((step) => /^(migrations|verify)\./.test(step));
    context.output.errorLine(
      upgradedAlready
        ? `the charts are upgraded; ${failedSteps.join(', ')} failed after them, so nothing was rolled back: fix what it names and run the same upgrade again (it verifies again), or roll back by hand (docs/upgrade.md)`
        : `nothing was upgraded yet (${failedSteps.join(', ') || 'connecting'} failed first): fix what it names and run the same upgrade again`,
    );
    await finish('failed');
    return result;
  }
  // helm's output in the report is shown and printed as JSON: secrets.yaml's values out first.
  const { loadSecretsFile } = await import('../secrets/file.js');
  const { secretValues } = await import('../secrets/redact.js');
  // It loaded for the run a moment ago; if it no longer does, the rollback still runs.
  const secrets = await loadSecretsFile(
    flags.secrets ? resolve(context.cwd, flags.secrets) : join(loaded.baseDir, 'secrets.yaml'),
  ).catch(() => undefined);
  let report: Awaited<ReturnType<typeof rollbackUpgradedReleases>>;
  try {
    const { localHost } = await import('../hosts/local-host.js');
    const { adminToolsFor } = await import('../tools/admin-tools.js');
    // The helm the upgrade ran with (the release's beside the executable, or PATH's).
    const tools = await adminToolsFor(loaded.inventory, loaded.baseDir, context.env);
    report = await rollbackUpgradedReleases({
      host: localHost({ env: tools.env }),
      inventory: loaded.inventory,
      inventoryDir: loaded.baseDir,
      target,
      runId,
      secretValues: secrets ? secretValues(secrets) : [],
      helmTimeout: flags.helmTimeout,
    });
  } catch (error) {
    // The rollback could not even start (a damaged revisions file, the state): say so, keep the record true.
    await finish('failed');
    context.output.errorLine(
      `the rollback could not run: ${error instanceof Error ? error.message : String(error)}; the releases this run upgraded stay upgraded: roll them back by hand (helm history, helm rollback; docs/upgrade.md)`,
    );
    return result;
  }
  const { output } = context;
  output.data({ type: 'upgrade-rollback', ...JSON.parse(JSON.stringify(report)) });
  if (report.rolledBack.length > 0)
    output.errorLine(
      `rolled back, in reverse order: ${report.rolledBack.map((entry) => `${entry.release} to revision ${entry.revision}`).join(', ')}`,
    );
  for (const entry of report.failed)
    output.errorLine(`rollback of ${entry.release} failed: ${entry.error.what}`);
  for (const entry of report.leftAsIs) output.errorLine(`left as it is: ${entry.release}: ${entry.reason}`);
  for (const entry of report.fromEarlierRuns)
    output.errorLine(`still upgraded (an earlier run): ${entry.release}: ${entry.reason}`);
  for (const line of report.cannotRollBack) output.errorLine(`cannot be rolled back: ${line}`);
  output.errorLine('run the same upgrade again to resume it; `wire-install status` shows every step');
  await finish(report.failed.length === 0 && report.rolledBack.length > 0 ? 'rolled-back' : 'failed');
  return result;
}
