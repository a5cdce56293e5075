import { closeSync, constants, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WireInstallError } from '../core/errors.js';
import { fileSystemError } from '../core/fs-errors.js';
import type { ExecOptions, ExecResult, RemoteHost } from '../hosts/types.js';
import { redact } from '../secrets/redact.js';

/**
 * The debug log of one run (`.wire-install/logs/<command>-<run id>.log`): every command with
 * its host, exit code and duration, and the run's events. Secrets are replaced before a line
 * is written; stdin (where secrets travel) is never logged. Written synchronously line by line
 * so the log is complete up to the moment of a crash; its path is printed on failure.
 * A write that fails (a full disk) stops the log, never the run: `onStop` is told once.
 */
export class DebugLog {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly secrets: readonly string[],
    private readonly onStop: (error: WireInstallError) => void = () => undefined,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // O_NOFOLLOW: a link planted at the log's name is refused, never followed (wire-install
    // runs as root; the name holds the run id, so it is new unless someone put it there);
    // O_NONBLOCK: a FIFO planted there fails at once (ENXIO) instead of hanging the run.
    this.fd = openSync(
      path,
      constants.O_WRONLY |
        constants.O_CREAT |
        constants.O_APPEND |
        constants.O_NOFOLLOW |
        constants.O_NONBLOCK,
      0o600,
    );
  }

  write(text: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, `${new Date().toISOString()} ${redact(text, this.secrets)}\n`);
    } catch (error) {
      this.close();
      const described = fileSystemError(error, this.path, 'writing the debug log');
      if (!described) throw error;
      this.onStop(described);
    }
  }

  /** One line of a long text, cut at 2000 characters after the secrets are out (a secret across the cut would leave its start). */
  oneLine(text: string): string {
    const flat = redact(text, this.secrets).replace(/\n/g, '\\n');
    return flat.length > 2000 ? `${flat.slice(0, 2000)}... (${flat.length} chars)` : flat;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** The host, with every command it runs written to this log. */
  wrap(host: RemoteHost): RemoteHost {
    const log = this;
    return {
      ...host,
      name: host.name,
      async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
        const started = performance.now();
        try {
          const result = await host.exec(command, options);
          const ms = Math.round(performance.now() - started);
          log.write(`${host.name} exit=${result.exitCode} ms=${ms} $ ${log.oneLine(command)}`);
          if (result.exitCode !== 0 && result.stderr.trim() !== '')
            log.write(`${host.name} stderr: ${log.oneLine(result.stderr.trim())}`);
          return result;
        } catch (error) {
          const ms = Math.round(performance.now() - started);
          log.write(`${host.name} error ms=${ms} $ ${log.oneLine(command)}: ${(error as Error).message}`);
          throw error;
        }
      },
      close: () => host.close(),
    };
  }
}
