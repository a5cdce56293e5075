import type { Become } from './become.js';

/**
 * One interface for every host wire-install runs commands on: remote hosts over SSH
 * (ssh-host.ts) and the admin host wire-install runs on (local-host.ts: helm, kubectl, checks).
 */

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  /** Written to the command's stdin: how secrets (a sudo password) reach a host, never argv. */
  stdin?: string;
  /** Milliseconds before the command is stopped and the call fails. */
  timeoutMs?: number;
  /** Cancels the command: it is sent SIGKILL, its channel closed, and the call fails. */
  signal?: AbortSignal;
}

export interface RemoteHost {
  readonly name: string;
  /** Runs one command on its own channel of the host's single connection. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Copies a local file to `remotePath`, replacing it. The transfer runs as the login user (SFTP,
   * into a temporary file under /var/tmp); the final move runs like exec, through sudo when set.
   * The file then belongs to the login user: the caller sets owner and mode.
   */
  putFile?(localPath: string, remotePath: string): Promise<void>;
  close(): void;
}

export interface SshTarget {
  /** Inventory name, used in every message. */
  name: string;
  address: string;
  port: number;
  user: string;
  /** Private key file; without it the ssh-agent (SSH_AUTH_SOCK) is used. */
  identityFile?: string;
  /** Run commands through sudo (see become.ts). */
  become?: Become;
  /** Jump host every connection goes through (ProxyJump); its host key is verified too. */
  bastion?: SshTarget;
}
