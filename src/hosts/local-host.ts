import { copyFile } from 'node:fs/promises';
import { WireInstallError } from '../core/errors.js';
import type { ExecOptions, ExecResult, RemoteHost } from './types.js';

/**
 * The admin host, the machine wire-install runs on, behind the same interface as a remote host:
 * steps that run helm, kubectl or HTTPS checks use it like any other host. Commands run with
 * `sh -c` (as on a remote host), stdin carries secrets, and a timeout or an aborted signal
 * kills the command's whole process group.
 */
export const ADMIN_HOST = 'admin host';

function cancelled(command: string): WireInstallError {
  return new WireInstallError({
    what: `${ADMIN_HOST}: a command was cancelled`,
    host: ADMIN_HOST,
    evidence: [`command: ${command}`],
  });
}

export function localHost(options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): RemoteHost {
  return {
    name: ADMIN_HOST,
    async exec(command: string, execOptions: ExecOptions = {}): Promise<ExecResult> {
      if (execOptions.signal?.aborted) throw cancelled(command);
      // execa (a hundred modules) is loaded by the first command: a run without one does not wait for it.
      const { execa } = await import('execa');
      if (execOptions.signal?.aborted) throw cancelled(command);
      // Its own process group: a timeout or cancel kills the command and everything it started
      // (sh's children keep the pipes open otherwise), and the terminal's Ctrl-C does not reach
      // it: the first Ctrl-C lets running work finish, as on remote hosts.
      const child = execa('sh', ['-c', command], {
        input: execOptions.stdin ?? '',
        reject: false,
        stripFinalNewline: false,
        detached: true,
        ...(options.env ? { env: options.env, extendEnv: false } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      });
      let stopped: 'timeout' | 'cancel' | undefined;
      const stop = (why: 'timeout' | 'cancel') => {
        stopped = why;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      };
      const timer =
        execOptions.timeoutMs !== undefined
          ? setTimeout(() => stop('timeout'), execOptions.timeoutMs)
          : undefined;
      const onAbort = () => stop('cancel');
      execOptions.signal?.addEventListener('abort', onAbort, { once: true });
      const result = await child.finally(() => {
        clearTimeout(timer);
        execOptions.signal?.removeEventListener('abort', onAbort);
      });
      if (stopped === 'timeout')
        throw new WireInstallError({
          what: `${ADMIN_HOST}: a command did not finish within ${execOptions.timeoutMs} ms and was stopped`,
          host: ADMIN_HOST,
          evidence: [`command: ${command}`],
        });
      if (stopped === 'cancel') throw cancelled(command);
      if (result.exitCode === undefined && !result.signal)
        throw new WireInstallError({
          what: `${ADMIN_HOST}: a command could not be started: ${result.message}`,
          host: ADMIN_HOST,
        });
      const signal = result.signal ? `\n(ended by signal ${result.signal})` : '';
      return {
        stdout: String(result.stdout ?? ''),
        stderr: `${String(result.stderr ?? '')}${signal}`,
        exitCode: result.exitCode ?? 255,
      };
    },
    async putFile(localPath: string, remotePath: string): Promise<void> {
      await copyFile(localPath, remotePath);
    },
    close() {},
  };
}
