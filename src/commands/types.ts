import type { Command } from 'commander';
import type { Interrupt } from '../core/interrupt.js';
import type { Output } from '../core/output.js';
import type { EngineStage } from '../engine/types.js';
import type { Inventory } from '../inventory/defaults.js';
import type { WireStageOptions } from '../steps/engine-stages.js';

/** What every command gets from the CLI shell: the output port, the working directory, the environment. */
export interface CommandContext {
  output: Output;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether a person is at the terminal (stdin and stdout are TTYs). */
  interactive: boolean;
  /** Aborted on the first Ctrl-C (or SIGTERM). */
  signal: AbortSignal;
  /** What a second Ctrl-C runs before the process exits at once (src/core/interrupt.ts); absent in tests. */
  onStopAtOnce?: Interrupt['onStopAtOnce'];
  /**
   * The stages `apply` runs on hosts. Production leaves this undefined and gets Wire's stages
   * (src/steps); the lab play (test/lab/play) puts its own here, to test and benchmark the
   * engine through the same command, flags, output and state.
   */
  engineStages?: EngineStagesFactory;
}

export type EngineStagesFactory = (
  inventory: Inventory,
  inventoryDir: string,
  options: Omit<WireStageOptions, 'bundleRoot'>,
) => EngineStage[];

/**
 * A command file exports these two functions. `configure` declares flags and help text on the
 * commander Command; `run` does the work and returns the exit code. The file is imported only
 * when its command is the one being run, so `--help` and other commands start fast.
 */
export interface CommandModule {
  configure(command: Command): void;
  run(options: Record<string, unknown>, context: CommandContext, args: string[]): Promise<number>;
}
