import { join } from 'node:path';
import { inputError } from '../core/errors.js';
import { applyRun } from '../engine/apply-run.js';
import { createReporter } from '../engine/report.js';
import { createTreeReporter } from '../engine/tree-reporter.js';
import type { LoadedInventory } from '../inventory/load.js';
import { loadSecretsFile } from '../secrets/file.js';
import { wireEngineStages } from '../steps/engine-stages.js';
import type { CommandContext } from './types.js';

/** `apply` and `apply --plan` on hosts: flags to engine options. */

function positiveInteger(flag: string, value: unknown): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 500)
    throw inputError({
      what: `--${flag} ${String(value)}: must be a whole number from 1 to 500`,
      next: `e.g. --${flag} 10`,
    });
  return number;
}

export async function runOnHosts(
  options: Record<string, unknown>,
  loaded: LoadedInventory,
  context: CommandContext,
): Promise<number> {
  const concurrency = positiveInteger('concurrency', options.concurrency);
  const uploadConcurrency = positiveInteger('upload-concurrency', options.uploadConcurrency);
  const stages = (context.engineStages ?? wireEngineStages)(loaded.inventory, loaded.baseDir);
  const secretsPath = options.secrets ? String(options.secrets) : join(loaded.baseDir, 'secrets.yaml');
  const secrets = await loadSecretsFile(secretsPath);
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
    stages,
    selection,
    concurrency,
    uploadConcurrency,
    inventoryInput: loaded.input,
    env: context.env,
    trustOnFirstUse: !options.strictHostKeys,
    signal: context.signal,
    output: context.output,
    reporter:
      context.interactive && !context.output.json && !options.plan
        ? createTreeReporter(context.output, stages, createReporter(context.output))
        : createReporter(context.output),
    commandLine: `wire-install apply${options.plan ? ' --plan' : ''} -i ${loaded.file}`,
  });
}
