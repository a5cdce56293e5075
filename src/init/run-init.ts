import { dirname, join, resolve } from 'node:path';
import type { CommandContext } from '../core/command-context.js';
import { ExitCode, inputError, isWireInstallError } from '../core/errors.js';
import { hasErrors } from '../core/finding.js';
import { reportError } from '../core/report-error.js';
import { formatFinding } from '../rules/render-findings.js';
import { ensureSecretsFile } from '../secrets/file.js';
import type { InitAnswers } from './answers.js';
import { completeAnswers } from './complete-answers.js';
import type { InitFlags } from './flag-specs.js';
import { presetAnswers } from './flags.js';
import { type InitPaths, type PreparedInventory, prepareInventory } from './prepare.js';
import { createInquirerPrompter, interrupted, type Prompter } from './prompter.js';
import { findingsLine, reportWritten, showFindings, shown } from './report.js';
import { summaryLines } from './summary.js';
import { runWizard } from './wizard.js';
import {
  checkInitTargets,
  type EnsureSecrets,
  fileExists,
  refuseOverwrite,
  writeInitFiles,
} from './write.js';

/**
 * `wire-install init` from its parsed flags to exit code: the wizard at a terminal, or the same
 * answers from flags and an answers file with --non-interactive; then the rules, then the
 * files. Exit 0 written, 2 bad input (nothing written), 130 interrupted (nothing written).
 */

export interface InitDependencies {
  createPrompter(signal: AbortSignal): Prompter;
  ensureSecrets: EnsureSecrets;
}

const DEFAULT_DEPENDENCIES: InitDependencies = {
  createPrompter: (signal) => createInquirerPrompter({ signal }),
  ensureSecrets: (path) => ensureSecretsFile(path),
};

export function initPaths(flags: Pick<InitFlags, 'inventory' | 'secrets'>, cwd: string): InitPaths {
  const inventory = resolve(cwd, flags.inventory);
  const secrets =
    flags.secrets !== undefined ? resolve(cwd, flags.secrets) : join(dirname(inventory), 'secrets.yaml');
  return { cwd, inventory, secrets };
}

async function nonInteractive(flags: InitFlags, paths: InitPaths, preset: Partial<InitAnswers>) {
  const answers = completeAnswers(preset);
  if (!flags.force && (await fileExists(paths.inventory))) throw refuseOverwrite(paths.inventory);
  const prepared = await prepareInventory(answers, paths);
  return { prepared, overwrite: flags.force };
}

async function interactive(
  flags: InitFlags,
  context: CommandContext,
  paths: InitPaths,
  preset: Partial<InitAnswers>,
  deps: InitDependencies,
) {
  const { output } = context;
  const prompter = deps.createPrompter(context.signal);
  let overwrite = flags.force;
  if (!overwrite && (await fileExists(paths.inventory))) {
    overwrite = await prompter.confirm({
      message: `${shown(paths, paths.inventory)} exists. Replace it at the end? (the secrets file is kept either way)`,
      default: false,
    });
    if (!overwrite) throw refuseOverwrite(paths.inventory);
  }
  let prepared: PreparedInventory | undefined;
  await runWizard({
    prompter,
    output,
    cwd: paths.cwd,
    preset,
    writes: `${shown(paths, paths.inventory)} and ${shown(paths, paths.secrets)}`,
    review: async (answers) => {
      try {
        prepared = await prepareInventory(answers, paths);
      } catch (error) {
        if (!isWireInstallError(error)) throw error;
        prepared = undefined;
        reportError(error, output);
        return { blocking: true };
      }
      output.line();
      for (const line of summaryLines(prepared.input, {
        inventory: shown(paths, paths.inventory),
        secrets: shown(paths, paths.secrets),
      })) {
        output.line(line);
      }
      output.line();
      showFindings(output, prepared);
      output.line(findingsLine(prepared));
      return { blocking: hasErrors(prepared.findings) };
    },
  });
  if (!prepared) throw new Error('init: the wizard finished without a reviewed inventory');
  return { prepared, overwrite };
}

export async function runInit(
  flags: InitFlags,
  context: CommandContext,
  dependencies: Partial<InitDependencies> = {},
): Promise<number> {
  const deps = { ...DEFAULT_DEPENDENCIES, ...dependencies };
  const { output } = context;
  try {
    const paths = initPaths(flags, context.cwd);
    await checkInitTargets(paths);
    const preset = await presetAnswers(flags, context.cwd);
    if (!flags.nonInteractive && !context.interactive) {
      throw inputError({
        what: 'init asks questions, but this is not a terminal (stdin or stdout is not a TTY)',
        next: 'pass --non-interactive with the answers as flags (or --answers FILE); `wire-install init --help` lists them',
      });
    }
    const { prepared, overwrite } = flags.nonInteractive
      ? await nonInteractive(flags, paths, preset)
      : await interactive(flags, context, paths, preset, deps);
    if (flags.nonInteractive) showFindings(output, prepared);
    if (hasErrors(prepared.findings)) {
      const errors = prepared.findings.filter((f) => f.severity === 'error');
      throw inputError({
        what: `the answers break ${errors.length} of Wire's rules; nothing was written`,
        evidence: output.json ? errors.flatMap((f) => formatFinding(f, output)) : [],
        next: 'change the answers named by each finding and run init again',
      });
    }
    if (context.signal.aborted) throw interrupted();
    const result = await writeInitFiles({
      paths,
      text: prepared.text,
      overwrite,
      ensureSecrets: deps.ensureSecrets,
    });
    reportWritten(output, paths, prepared, result, !flags.nonInteractive);
    return ExitCode.ok;
  } catch (error) {
    if (isWireInstallError(error) && error.exitCode === ExitCode.interrupted) {
      output.data({ type: 'interrupted', message: error.what, exitCode: ExitCode.interrupted });
      output.errorLine(error.what);
      return ExitCode.interrupted;
    }
    return reportError(error, output);
  }
}
