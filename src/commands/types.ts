import type { Command } from 'commander';
import type { ApplyContext } from '../apply/types.js';

/**
 * What the CLI shell (src/cli.ts) gives every command: the CommandContext their work gets
 * (src/core/command-context.ts), with the stages apply runs when the lab play puts its own.
 */
export type CliContext = ApplyContext;

/**
 * A command file exports these two functions. `configure` declares flags and help text on the
 * commander Command; `run` parses commander's options into the command's typed flags (the only
 * place they are read) and does the work, returning the exit code. The file is imported only
 * when its command is the one being run, so `--help` and other commands start fast.
 */
export interface CommandModule {
  configure(command: Command): void;
  run(options: Record<string, unknown>, context: CliContext, args: string[]): Promise<number>;
}
