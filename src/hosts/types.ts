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
  /** The SSH host key it offered, `<type> SHA256:...` (verified before use); none for the admin host. */
  readonly hostKey?: string;
  /** Runs one command on its own channel of the host's single connection. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Copies a local file to `remotePath`, replacing it. The transfer runs as the login user (SFTP,
   * into a temporary file under /var/tmp); the final move runs like exec, through sudo when set.
   * The file then belongs to the login user: the caller sets owner and mode.
   */
  putFile?(localPath: string, remotePath: string): Promise<void>;
  /**
   * Settles when the connection to the host is lost (it stopped answering, or the connection was
   * cut), never when close() closed it: the engine names a host that went away even while no
   * command runs on it. Hosts that cannot be lost (the admin host) have none.
   */
  readonly lost?: Promise<Error>;
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
  /** How soon a host that stops answering is called lost; default in ssh-host.ts (DEFAULT_KEEPALIVE). */
  keepalive?: Keepalive;
}

/** A keepalive every `intervalSeconds`; the host is lost after `count` intervals without an answer. */
export interface Keepalive {
  intervalSeconds: number;
  count: number;
}
