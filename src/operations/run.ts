import { WireInstallError } from '../core/errors.js';
import type { ExecOptions, ExecResult, RemoteHost } from '../hosts/types.js';

/** How many lines of a failed command's output a failure shows. */
export const TAIL_LINES = 12;

export function lastLines(text: string, count = TAIL_LINES): string[] {
  return text
    .trimEnd()
    .split('\n')
    .filter((line) => line !== '')
    .slice(-count);
}

/**
 * A command on a host that did not exit 0: names the host, the command, the exit code and the
 * last lines of its output, which is what a failed run reports.
 */
export class CommandFailedError extends WireInstallError {
  readonly command: string;
  readonly exitCode_: number;

  constructor(host: string, what: string, command: string, result: ExecResult, next?: string) {
    const output = lastLines(`${result.stdout}\n${result.stderr}`);
    super({
      what: `${host}: ${what} failed (exit code ${result.exitCode})`,
      host,
      evidence: [`command: ${command}`, ...output.map((line) => `| ${line}`)],
      ...(next ? { next } : {}),
    });
    this.command = command;
    this.exitCode_ = result.exitCode;
  }
}

/** Runs `command` and returns its result, or throws CommandFailedError when it does not exit 0. */
export async function runOrFail(
  host: RemoteHost,
  what: string,
  command: string,
  options?: ExecOptions & { next?: string },
): Promise<ExecResult> {
  const result = await host.exec(command, options);
  if (result.exitCode !== 0) throw new CommandFailedError(host.name, what, command, result, options?.next);
  return result;
}
