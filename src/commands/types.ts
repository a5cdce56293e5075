import type { Command } from 'commander';
import type { Output } from '../core/output.js';

/** What every command gets from the CLI shell: the output port, the working directory, the environment. */
export interface CommandContext {
  output: Output;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether a person is at the terminal (stdin and stdout are TTYs). */
  interactive: boolean;
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
}

/**
 * A command file exports these two functions. `configure` declares flags and help text on the
 * commander Command; `run` does the work and returns the exit code. The file is imported only
 * when its command is the one being run, so `--help` and other commands start fast.
 */
export interface CommandModule {
  configure(command: Command): void;
  run(options: Record<string, unknown>, context: CommandContext, args: string[]): Promise<number>;
}
