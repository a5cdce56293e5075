import { join } from 'node:path';
import { inputError } from '../core/errors.js';
import { applyRun } from '../engine/apply-run.js';
import { createReporter, type Reporter } from '../engine/report.js';
import type { EngineStage } from '../engine/types.js';
import { shellQuote } from '../hosts/become.js';
import type { LoadedInventory } from '../inventory/load.js';
import { loadSecretsForRun } from '../secrets/file.js';
import { wireEngineStages } from '../steps/engine-stages.js';
import { adminToolsFor, type ToolChoice } from '../tools/admin-tools.js';
import { parseHelmTimeout } from '../workloads/helm/timeout.js';
import { certificateKeyTexts } from '../workloads/values/certificate-files.js';
import type { CommandContext } from './types.js';

/** `apply` and `apply --plan` on hosts: flags to engine options. */

export function positiveInteger(flag: string, value: unknown): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 500)
    throw inputError({
      what: `--${flag} ${String(value)}: must be a whole number from 1 to 500`,
      next: `e.g. --${flag} 10`,
    });
  return number;
}

/** The live tree on a terminal (apply only: a plan is read at the end), lines or JSON otherwise. */
async function reporterFor(
  options: Record<string, unknown>,
  context: CommandContext,
  stages: readonly EngineStage[],
): Promise<Reporter> {
  const plain = createReporter(context.output);
  if (!context.interactive || context.output.json || options.plan) return plain;
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

/**
 * The command that resumes an interrupted apply: the same one, with every flag that changes
 * what runs or how (--secrets above all: another secrets file would push other passwords),
 * shell-quoted so it can be pasted. --force is left out: a forced step that finished is
 * recorded, and the resume must not run it again.
 */
/** A word as a shell reads it: plain when it is plain, single-quoted otherwise. */
function pasteable(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : shellQuote(word);
}

export function resumeCommand(options: Record<string, unknown>): string {
  const words = ['wire-install', 'apply'];
  const add = (flag: string, value: unknown, unless?: string) => {
    if (value === undefined || value === false || value === null) return;
    if (value === true) words.push(flag);
    else if (String(value) !== unless) words.push(flag, pasteable(String(value)));
  };
  add('--plan', options.plan);
  add('-i', options.inventory, 'inventory.yaml');
  add('--secrets', options.secrets);
  add('--from', options.from);
  add('--only', options.only);
  add('--concurrency', options.concurrency, '20');
  add('--upload-concurrency', options.uploadConcurrency, '4');
  add('--helm-timeout', options.helmTimeout, '15m');
  add('--strict-host-keys', options.strictHostKeys);
  add('--allow-unsupported-os', options.allowUnsupportedOs);
  add('--allow-undersized', options.allowUndersized);
  add('--dns-server', options.dnsServer);
  return words.join(' ');
}

export async function runOnHosts(
  options: Record<string, unknown>,
  loaded: LoadedInventory,
  context: CommandContext,
  hooks: RunHooks = {},
): Promise<number> {
  const concurrency = positiveInteger('concurrency', options.concurrency);
  const uploadConcurrency = positiveInteger('upload-concurrency', options.uploadConcurrency);
  const secretsPath = options.secrets ? String(options.secrets) : join(loaded.baseDir, 'secrets.yaml');
  const { secrets, added, save } = await loadSecretsForRun(secretsPath);
  if (added.length > 0 && options.plan)
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
    allowUnsupportedOs: Boolean(options.allowUnsupportedOs),
    allowUndersized: Boolean(options.allowUndersized),
    secrets,
    secretsPath,
    inventoryDir: loaded.baseDir,
    dnsServer: options.dnsServer ? String(options.dnsServer) : undefined,
    helmTimeout: parseHelmTimeout(options.helmTimeout),
  };
  for (const [flag, on] of [
    ['--allow-unsupported-os', stageOptions.allowUnsupportedOs],
    ['--allow-undersized', stageOptions.allowUndersized],
  ] as const)
    if (on) context.output.warn(`${flag} is set: preflight reports what it allows as warnings, not errors`);
  const stages = (context.engineStages ?? wireEngineStages)(loaded.inventory, loaded.baseDir, stageOptions);
  const selection = {
    ...(options.from ? { from: String(options.from) } : {}),
    ...(options.only ? { only: String(options.only) } : {}),
    ...(options.force ? { force: String(options.force) } : {}),
  };
  return applyRun({
    mode: options.plan ? 'plan' : 'apply',
    inventoryPath: loaded.file,
    inventory: loaded.inventory,
    secrets,
    privateKeys: certificateKeyTexts(loaded.inventory, loaded.baseDir),
    stages,
    selection,
    concurrency,
    uploadConcurrency,
    inventoryInput: loaded.input,
    env: context.env,
    trustOnFirstUse: !options.strictHostKeys,
    signal: context.signal,
    ...(context.onStopAtOnce ? { onStopAtOnce: context.onStopAtOnce } : {}),
    resumeCommand: hooks.commandLine ?? resumeCommand(options),
    output: context.output,
    reporter: withRunStarted(await reporterFor(options, context, stages), hooks.onRunStarted),
    commandLine: hooks.commandLine ?? `wire-install apply${options.plan ? ' --plan' : ''} -i ${loaded.file}`,
    afterLock: saveAddedSecrets,
    adminEnv: async () => {
      const tools = await adminToolsFor(loaded.inventory, loaded.baseDir, context.env);
      adminTools.choices = tools.choices;
      return tools.env;
    },
  });
}
