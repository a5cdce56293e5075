import { ExitCode, isWireInstallError } from './errors.js';
import { describeFileSystemError } from './fs-errors.js';
import type { Output } from './output.js';
import { cutLongRuns } from './shown-value.js';

/**
 * Prints an error the way a sysadmin wants to read it: what failed, the evidence, the next
 * step. Never a stack trace for errors we raised on purpose; an unexpected error shows its
 * stack only with --verbose. Returns the exit code to use.
 */
export function reportError(raised: unknown, output: Output): number {
  // A full disk, a read-only folder, a directory where a file goes: the user's to fix, with the path.
  const error = describeFileSystemError(raised) ?? raised;
  if (isWireInstallError(error)) {
    if (output.json) {
      output.data({ type: 'error', ...error.toJSON() });
      return error.exitCode;
    }
    const c = output.color;
    const where = error.host ? ` ${c.dim(`[${error.host}]`)}` : '';
    // Messages quote values from files: a huge one is cut, with its size (cutLongRuns).
    output.errorLine(`${c.red('error:')}${where} ${cutLongRuns(error.what)}`);
    for (const line of error.evidence) output.errorLine(`  ${cutLongRuns(line)}`);
    if (error.next) output.errorLine(`${c.cyan('next:')} ${cutLongRuns(error.next)}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (output.json) {
    output.data({ type: 'error', error: `internal error: ${message}`, exitCode: ExitCode.failed });
  } else {
    output.errorLine(`${output.color.red('internal error:')} ${message}`);
    if (output.verbose && error instanceof Error && error.stack) output.errorLine(error.stack);
    else output.errorLine('  (run again with --verbose for the stack trace, and report it as a bug)');
  }
  return ExitCode.failed;
}
