import { join } from 'node:path';
import { applyRun } from '../engine/apply-run.js';
import { createReporter, type Reporter } from '../engine/report.js';
import type { EngineStage } from '../engine/types.js';
import { shellQuote } from '../hosts/become.js';
import type { LoadedInventory } from '../inventory/load.js';
import { loadSecretsForRun } from '../secrets/file.js';
import type { ToolChoice } from '../tools/admin-tools.js';
import { certificateKeyTexts } from '../workloads/values/certificate-files.js';
import { type ApplyContext, type EngineRunFlags, stepSelection } from './types.js';

/** `apply` and `apply --plan` on hosts (and upgrade's run, on its own stages): flags to engine options. */

/** The live tree on a terminal (apply only: a plan is read at the end), lines or JSON otherwise. */
async function reporterFor(
  flags: EngineRunFlags,
  context: ApplyContext,
  stages: readonly EngineStage[],
): Promise<Reporter> {
  const plain = createReporter(context.output);
  if (!context.interactive || context.output.json || flags.plan) return plain;
  // listr2 is loaded only here: scripts and CI (no terminal) do not pay for it.
  const { createTreeReporter } = await import('../engine/tree-reporter.js');
  return createTreeReporter(context.output, stages, plain);
}

/** What a command running its own stages on the engine (upgrade) adds to apply's run. */
export interface RunHooks {
  /** The command as the lock names it. */
  commandLine?: string;
  /** Called with the run's id when it starts (the state's records of this run carry it). */
  onRunStarted?: (runId: string) => void;
}

function withRunStarted(reporter: Reporter, onRunStarted: RunHooks['onRunStarted']): Reporter {
  if (!onRunStarted) return reporter;
  return {
    emit: (event) => {
      if (event.type === 'run-started') onRunStarted(event.runId);
      reporter.emit(event);
    },
    close: () => reporter.close(),
  };
}

/** A word as a shell reads it: plain when it is plain, single-quoted otherwise. */
function pasteable(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : shellQuote(word);
}

/**
 * The command that resumes an interrupted apply: the same one, with every flag that changes
 * what runs or how (--secrets above all: another secrets file would push other passwords),
 * shell-quoted so it can be pasted. --force is left out: a forced step that finished is
 * recorded, and the resume must not run it again.
 */
export function resumeCommand(flags: EngineRunFlags): string {
  const words = ['wire-install', 'apply'];
  const add = (flag: string, value: string | number | boolean | undefined, unless?: string) => {
    if (value === undefined || value === false) return;
    if (value === true) words.push(flag);
    else if (String(value) !== unless) words.push(flag, pasteable(String(value)));
  };
  add('--plan', flags.plan);
  add('-i', flags.inventory, 'inventory.yaml');
  add('--secrets', flags.secrets);
  add('--from', flags.from);
  add('--only', flags.only);
  add('--concurrency', flags.concurrency, '20');
  add('--upload-concurrency', flags.uploadConcurrency, '4');
  add('--helm-timeout', flags.helmTimeout, '15m');
  add('--strict-host-keys', flags.strictHostKeys);
  add('--allow-unsupported-os', flags.allowUnsupportedOs);
  add('--allow-undersized', flags.allowUndersized);
  add('--dns-server', flags.dnsServer);
  add('--check-drift', flags.checkDrift);
  return words.join(' ');
}

export async function runOnHosts(
  flags: EngineRunFlags,
  loaded: LoadedInventory,
  context: ApplyContext,
  hooks: RunHooks = {},
): Promise<number> {
  const secretsPath = flags.secrets ? flags.secrets : join(loaded.baseDir, 'secrets.yaml');
  const { secrets, added, save } = await loadSecretsForRun(secretsPath);
  if (added.length > 0 && flags.plan)
    context.output.warn(
      `${secretsPath} lacks keys this version needs; apply adds them (existing values unchanged): ${added.join(', ')}`,
    );
  // Written once the run holds the lock, so two applies never write different new values.
  const saveAddedSecrets = async () => {
    await save();
    if (added.length > 0)
      context.output.warn(
        `${secretsPath}: added the keys this version needs, existing values unchanged: ${added.join(', ')}`,
      );
  };
  // Filled when the run prepares helm and kubectl for the admin host (only when it uses it).
  const adminTools: { choices?: ToolChoice[] } = {};
  const stageOptions = {
    adminTools,
    allowUnsupportedOs: flags.allowUnsupportedOs,
    allowUndersized: flags.allowUndersized,
    secrets,
    secretsPath,
    inventoryDir: loaded.baseDir,
    dnsServer: flags.dnsServer ? flags.dnsServer : undefined,
    helmTimeout: flags.helmTimeout,
  };
  for (const [flag, on] of [
    ['--allow-unsupported-os', stageOptions.allowUnsupportedOs],
    ['--allow-undersized', stageOptions.allowUndersized],
  ] as const)
    if (on) context.output.warn(`${flag} is set: preflight reports what it allows as warnings, not errors`);
  // Wire's stages (and the steps behind them) are loaded only when they run: not for the lab's play.
  const stagesFor = context.engineStages ?? (await import('../plan/engine-stages.js')).wireEngineStages;
  const stages = stagesFor(loaded.inventory, loaded.baseDir, stageOptions);
  return applyRun({
    mode: flags.plan ? 'plan' : 'apply',
    inventoryPath: loaded.file,
    inventory: loaded.inventory,
    secrets,
    privateKeys: certificateKeyTexts(loaded.inventory, loaded.baseDir),
    stages,
    selection: stepSelection(flags),
    concurrency: flags.concurrency,
    uploadConcurrency: flags.uploadConcurrency,
    inventoryInput: loaded.input,
    env: context.env,
    trustOnFirstUse: !flags.strictHostKeys,
    signal: context.signal,
    ...(context.onStopAtOnce ? { onStopAtOnce: context.onStopAtOnce } : {}),
    resumeCommand: hooks.commandLine ?? resumeCommand(flags),
    ...(flags.checkDrift ? { recheck: true } : {}),
    output: context.output,
    reporter: withRunStarted(await reporterFor(flags, context, stages), hooks.onRunStarted),
    commandLine:
      hooks.commandLine ??
      `wire-install apply${flags.plan ? ' --plan' : ''}${flags.checkDrift ? ' --check-drift' : ''} -i ${loaded.file}`,
    afterLock: saveAddedSecrets,
    adminEnv: async () => {
      const { adminToolsFor } = await import('../tools/admin-tools.js');
      const tools = await adminToolsFor(loaded.inventory, loaded.baseDir, context.env);
      adminTools.choices = tools.choices;
      return tools.env;
    },
  });
}
