import type { Interrupt } from './interrupt.js';
import type { Output } from './output.js';

/**
 * What the work of every command gets from the CLI shell (src/cli.ts): the output port, the
 * working directory, the environment, whether a person is at the terminal, and Ctrl-C. apply
 * adds the stages it runs (ApplyContext, src/apply/types.ts).
 */
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
}
