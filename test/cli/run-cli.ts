import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The built CLI, run as a process exactly as a user runs it. */
export const CLI = fileURLToPath(new URL('../../bin/wire-install', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
    timeout: 20_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
