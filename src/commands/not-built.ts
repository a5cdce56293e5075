import { ExitCode } from '../core/errors.js';
import type { CommandContext } from './types.js';

/**
 * Commands whose work is not built yet say so plainly and exit 1, instead of pretending.
 * `tracking` names the issue that builds it.
 */
export function notBuiltYet(name: string, tracking: string, context: CommandContext): number {
  const message = `'wire-install ${name}' is not built yet (${tracking}). Nothing was changed.`;
  context.output.data({ type: 'error', error: message, exitCode: ExitCode.failed });
  context.output.errorLine(`${context.output.color.red('error:')} ${message}`);
  return ExitCode.failed;
}
