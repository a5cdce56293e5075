import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The built CLI, run as a process exactly as a user runs it. */
export const CLI = fileURLToPath(new URL('../../bin/wire-install', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * How long one CLI run may take before the test kills it: far more than any needs alone (the
 * slowest, an upgrade through 16 stand-in releases, about 10 s), since the unit tests share two
 * CPUs with the lab's tests (scripts/test.sh). Below vitest's testTimeout, so a killed run is
 * reported as such.
 */
const CLI_TIMEOUT_MS = 90_000;

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  const result = await execa('node', [CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: '1', ...options.env },
    input: options.input ?? '',
    reject: false,
    timeout: CLI_TIMEOUT_MS,
  });
  const killed = result.timedOut ? `\n(the test killed the CLI after ${CLI_TIMEOUT_MS / 1000} s)` : '';
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: `${result.stderr}${killed}` };
}
