import { WireInstallError } from '../core/errors.js';
import type { ExecOptions, ExecResult } from './types.js';

/**
 * Running a command as root through sudo. Without a password, `sudo -n` fails at once instead
 * of hanging on a prompt. With one, `sudo -S` reads it as the first line of stdin: the password
 * never appears on a command line (ps, logs), and the rest of stdin reaches the command.
 */
export interface Become {
  enabled: boolean;
  /** The sudo password from secrets.yaml (ssh.becomePassword), when sudo asks for one. */
  password?: string;
}

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function wrapForBecome(
  command: string,
  options: ExecOptions,
  become: Become | undefined,
): { command: string; options: ExecOptions } {
  if (!become?.enabled) return { command, options };
  if (become.password === undefined) {
    return { command: `sudo -n -- sh -c ${shellQuote(command)}`, options };
  }
  return {
    command: `sudo -S -p '' -- sh -c ${shellQuote(command)}`,
    options: { ...options, stdin: `${become.password}\n${options.stdin ?? ''}` },
  };
}

/** sudo's own refusals, recognised from its messages, become explained errors. */
export function explainSudoFailure(result: ExecResult, host: string): WireInstallError | undefined {
  if (result.exitCode === 0) return undefined;
  if (/sudo: a (terminal|password) is required/.test(result.stderr)) {
    return new WireInstallError({
      what: `${host}: sudo needs a password for this user`,
      host,
      evidence: [result.stderr.trim()],
      next: 'set ssh.become.password: true in the inventory and put the password in secrets.yaml as ssh.becomePassword, or allow passwordless sudo',
    });
  }
  if (/incorrect password|Sorry, try again/.test(result.stderr)) {
    return new WireInstallError({
      what: `${host}: sudo refused the password from secrets.yaml (ssh.becomePassword)`,
      host,
      next: 'check the password in secrets.yaml for this user',
    });
  }
  if (/is not in the sudoers file|not allowed to execute/.test(result.stderr)) {
    return new WireInstallError({
      what: `${host}: the SSH user may not use sudo`,
      host,
      evidence: [result.stderr.trim()],
      next: 'add the user to the sudo group (or a sudoers rule), or log in as root',
    });
  }
  return undefined;
}
