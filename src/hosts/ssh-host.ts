import { readFile } from 'node:fs/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import { NodeSSH } from 'node-ssh';
import type { ClientChannel } from 'ssh2';
import { WireInstallError } from '../core/errors.js';
import { explainSudoFailure, shellQuote, wrapForBecome } from './become.js';
import type { HostKeyVerdict, KnownHostEntry } from './known-hosts.js';
import { createLimiter } from './limiter.js';
import { fenceRefusal } from './network-fence.js';
import { explainSshError, type HostKeyEvidence } from './ssh-errors.js';
import { checkHostKey, keyFingerprint, keyTypeOf, type TrustStore } from './trust-on-first-use.js';
import type { ExecOptions, ExecResult, RemoteHost, SshTarget } from './types.js';

/**
 * A host over SSH: one persistent connection for the whole run with Nagle off (LAB.md measured
 * 0.24-1.1 s for 100 commands against 4.7 s with it on), keepalive, and a channel per command.
 * Host keys are verified against known_hosts (and the trust-on-first-use store when given);
 * a changed key is always refused, an unknown one unless trust on first use is allowed.
 */

/** Below OpenSSH's default MaxSessions (10), leaving room for an interactive session. */
export const CHANNELS_PER_CONNECTION = 8;

export interface SshConnectOptions {
  knownHosts: readonly KnownHostEntry[];
  /** The files `knownHosts` was read from: only named in messages about a refused key. */
  knownHostsFiles?: readonly string[];
  connectTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * Trust on first use: a host whose key is in neither `knownHosts` nor the store is accepted,
   * its key recorded in the store once the login succeeded, and `onTrusted` called (to show the
   * fingerprint in the output). A key that differs from a recorded one is refused all the same.
   */
  trustOnFirstUse?: {
    store: TrustStore;
    onTrusted: (event: TrustedHostKey) => void;
  };
}

/** A host key accepted on first use and recorded. */
export interface TrustedHostKey {
  /** Inventory name. */
  host: string;
  address: string;
  port: number;
  keyType: string;
  /** `SHA256:...`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

function openSocket(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const fenced = fenceRefusal(address);
    if (fenced) {
      reject(Object.assign(new Error(fenced), { code: 'EFENCED' }));
      return;
    }
    const socket = connectTcp({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 15_000);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Connects and authenticates over `sock`, verifying the host key. */
async function openSsh(
  target: SshTarget,
  options: SshConnectOptions,
  sock: NodeJS.ReadableStream & NodeJS.WritableStream,
): Promise<NodeSSH> {
  const timeout = options.connectTimeoutMs ?? 10_000;
  const tofu = options.trustOnFirstUse;
  let verdict: HostKeyVerdict | undefined;
  let offered: Buffer | undefined;
  let evidence: HostKeyEvidence | undefined;
  const ssh = new NodeSSH();
  try {
    const agent = (options.env ?? process.env).SSH_AUTH_SOCK;
    await ssh.connect({
      sock: sock as never,
      host: target.address,
      port: target.port,
      username: target.user,
      readyTimeout: timeout,
      keepaliveInterval: 15_000,
      ...(target.identityFile ? { privateKey: await readFile(target.identityFile, 'utf8') } : {}),
      ...(agent && !target.identityFile ? { agent } : {}),
      hostVerifier: (key: Buffer) => {
        offered = key;
        const checked = checkHostKey(
          [
            { entries: options.knownHosts, files: options.knownHostsFiles ?? [] },
            ...(tofu ? [{ entries: tofu.store.entries(), files: [tofu.store.path] }] : []),
          ],
          target.address,
          target.port,
          key,
        );
        verdict = checked.verdict;
        evidence = { keyType: keyTypeOf(key), fingerprint: keyFingerprint(key), files: checked.files };
        return verdict.status === 'match' || (verdict.status === 'unknown' && tofu !== undefined);
      },
    });
  } catch (error) {
    ssh.dispose();
    const refused = verdict?.status === 'mismatch' || (verdict?.status === 'unknown' && !tofu);
    throw explainSshError(error, target, refused ? verdict : undefined, evidence);
  }
  if (tofu && offered && evidence && verdict?.status === 'unknown') {
    // Checked again: a concurrent connection may have recorded this host since (a different key
    // then is a change like any other; the same key needs no second record or report).
    const again = checkHostKey(
      [{ entries: tofu.store.entries(), files: [tofu.store.path] }],
      target.address,
      target.port,
      offered,
    );
    if (again.verdict.status === 'mismatch') {
      ssh.dispose();
      throw explainSshError(new Error('host key changed while connecting'), target, again.verdict, {
        ...evidence,
        files: again.files,
      });
    }
    if (again.verdict.status === 'unknown') {
      try {
        await tofu.store.record(target.address, target.port, evidence.keyType, offered.toString('base64'));
      } catch (error) {
        ssh.dispose();
        throw new WireInstallError(
          {
            what: `${target.name}: the host key trusted on first use could not be recorded in ${tofu.store.path}`,
            host: target.name,
            evidence: [`${evidence.keyType} ${evidence.fingerprint}: ${(error as Error).message}`],
            next: 'check that the state directory beside the inventory is writable, then run again',
          },
          { cause: error },
        );
      }
      tofu.onTrusted({
        host: target.name,
        address: target.address,
        port: target.port,
        keyType: evidence.keyType,
        fingerprint: evidence.fingerprint,
      });
    }
  }
  return ssh;
}

/** A TCP stream to the target through the bastion's connection (what ProxyJump does). */
function forwardThrough(
  bastion: NodeSSH,
  target: SshTarget,
): Promise<NodeJS.ReadableStream & NodeJS.WritableStream> {
  return new Promise((resolve, reject) => {
    const connection = bastion.connection;
    if (!connection) {
      reject(new Error('the bastion connection is closed'));
      return;
    }
    connection.forwardOut('127.0.0.1', 0, target.address, target.port, (error, stream) =>
      error ? reject(error) : resolve(stream),
    );
  });
}

export async function connectSsh(target: SshTarget, options: SshConnectOptions): Promise<RemoteHost> {
  const timeout = options.connectTimeoutMs ?? 10_000;
  let bastion: NodeSSH | undefined;
  let ssh: NodeSSH;
  if (target.bastion) {
    const jump = await connectBastion(target.bastion, options, timeout);
    bastion = jump;
    let stream: NodeJS.ReadableStream & NodeJS.WritableStream;
    try {
      stream = await forwardThrough(jump, target);
    } catch (error) {
      jump.dispose();
      throw explainSshError(error, target, undefined);
    }
    ssh = await openSsh(target, options, stream).catch((error) => {
      jump.dispose();
      throw error;
    });
  } else {
    let sock: Socket;
    try {
      sock = await openSocket(target.address, target.port, timeout);
    } catch (error) {
      throw explainSshError(error, target, undefined);
    }
    ssh = await openSsh(target, options, sock);
  }
  watchConnection(ssh);
  const limit = createLimiter(CHANNELS_PER_CONNECTION);
  return {
    name: target.name,
    exec: (command, execOptions) =>
      limit(() => withChannelRetry(() => execOn(ssh, target, command, execOptions))),
    putFile: (localPath, remotePath) => putFileOn(ssh, target, limit, localPath, remotePath),
    close: () => {
      ssh.dispose();
      bastion?.dispose();
    },
  };
}

async function connectBastion(
  bastion: SshTarget,
  options: SshConnectOptions,
  timeout: number,
): Promise<NodeSSH> {
  let sock: Socket;
  try {
    sock = await openSocket(bastion.address, bastion.port, timeout);
  } catch (error) {
    throw explainSshError(error, bastion, undefined);
  }
  return openSsh(bastion, options, sock);
}

/**
 * sshd frees a session slot a moment after the channel closes, so a burst of commands can still
 * meet "Channel open failure" below the limit. Opening a channel changes nothing on the host,
 * so it is retried, briefly and a bounded number of times.
 */
async function withChannelRetry<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await open();
    } catch (error) {
      const refused = error instanceof Error && error.message.includes('Channel open failure');
      if (!refused || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(10 * 2 ** attempt, 200)));
    }
  }
}

/**
 * SFTP writes as the login user, which may not write where the file belongs: the file goes to a
 * temporary file the login user made under /var/tmp, then `mv` (through sudo when set) puts it
 * in place. The temporary file is removed when anything fails.
 */
async function putFileOn(
  ssh: NodeSSH,
  target: SshTarget,
  limit: ReturnType<typeof createLimiter>,
  localPath: string,
  remotePath: string,
): Promise<void> {
  const asLogin = (command: string) =>
    limit(() => withChannelRetry(() => runChannel(ssh, target, command, {})));
  const failed = (what: string, detail: string) =>
    new WireInstallError({
      what: `${target.name}: cannot upload ${localPath} to ${remotePath}: ${what}`,
      host: target.name,
      evidence: detail ? [detail] : [],
      next: 'check the space and permissions of /var/tmp and of the target directory on the host',
    });
  const made = await asLogin('mktemp /var/tmp/wire-install-upload.XXXXXX');
  const temporary = made.stdout.trim();
  if (made.exitCode !== 0 || !temporary) throw failed('no temporary file in /var/tmp', made.stderr.trim());
  try {
    await limit(() => withChannelRetry(() => ssh.putFile(localPath, temporary))).catch((error: unknown) => {
      throw failed('the transfer failed', error instanceof Error ? error.message : String(error));
    });
    const moved = await limit(() =>
      withChannelRetry(() =>
        execOn(ssh, target, `mv -f -- ${shellQuote(temporary)} ${shellQuote(remotePath)}`),
      ),
    );
    if (moved.exitCode !== 0) throw failed('the move into place failed', moved.stderr.trim());
  } catch (error) {
    await asLogin(`rm -f -- ${shellQuote(temporary)}`).catch(() => undefined);
    throw error;
  }
}

async function execOn(
  ssh: NodeSSH,
  target: SshTarget,
  rawCommand: string,
  rawOptions: ExecOptions = {},
): Promise<ExecResult> {
  // A command that may be stopped runs in a session of its own whose id it reports first, so
  // stopping it kills everything it started. (sshd does not deliver a client's signal request,
  // and closing the channel does not end a command that is not writing.)
  const stoppable = rawOptions.signal !== undefined || rawOptions.timeoutMs !== undefined;
  const { command, options } = wrapForBecome(
    stoppable ? inOwnSession(rawCommand) : rawCommand,
    rawOptions,
    target.become,
  );
  const kill = (group: number) =>
    execOn(ssh, target, `kill -KILL -- -${group} 2>/dev/null; true`).then(() => undefined);
  const result = await runChannel(ssh, target, command, options, stoppable ? kill : undefined);
  const sudoRefused = target.become?.enabled ? explainSudoFailure(result, target.name) : undefined;
  if (sudoRefused) throw sudoRefused;
  return result;
}

const GROUP_MARK = 'wire-install-process-group=';

function inOwnSession(command: string): string {
  return `exec setsid -w sh -c 'echo "${GROUP_MARK}$$" >&2; exec sh -c "$0"' ${shellQuote(command)}`;
}

/** The process group a stoppable command reported on its first stderr line, and stderr without it. */
function splitGroupMark(stderr: string): { group: number | undefined; rest: string } {
  if (!stderr.startsWith(GROUP_MARK)) return { group: undefined, rest: stderr };
  const end = stderr.indexOf('\n');
  const line = end < 0 ? stderr : stderr.slice(0, end);
  const group = Number(line.slice(GROUP_MARK.length));
  return {
    group: Number.isInteger(group) && group > 1 ? group : undefined,
    rest: end < 0 ? '' : stderr.slice(end + 1),
  };
}

/** Connections whose transport closed: a command on them did not end, it was cut off. */
const closedConnections = new WeakSet<NodeSSH>();

function watchConnection(ssh: NodeSSH): void {
  ssh.connection?.once('close', () => closedConnections.add(ssh));
}

/** Whether the connection is gone; a moment is allowed for the close to arrive after the channel's end. */
async function connectionLost(ssh: NodeSSH): Promise<boolean> {
  for (let waited = 0; waited < 300 && !closedConnections.has(ssh); waited += 50)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return closedConnections.has(ssh);
}

function lostConnection(target: SshTarget, command: string, cause?: unknown): WireInstallError {
  return new WireInstallError(
    {
      what: `${target.name}: the connection to ${target.address} was lost while a command ran (the host went down, rebooted or dropped off the network)`,
      host: target.name,
      evidence: [`command: ${command.length > 200 ? `${command.slice(0, 200)}...` : command}`],
      next: 'check that the host is up and reachable, then run apply again: it resumes with the step that was cut off',
    },
    { cause },
  );
}

async function runChannel(
  ssh: NodeSSH,
  target: SshTarget,
  command: string,
  options: ExecOptions,
  kill?: (group: number) => Promise<void>,
): Promise<ExecResult> {
  const shown = command.length > 200 ? `${command.slice(0, 200)}...` : command;
  if (options.signal?.aborted)
    throw new WireInstallError({
      what: `${target.name}: a command was cancelled before it started`,
      host: target.name,
      evidence: [`command: ${shown}`],
    });
  let channel: ClientChannel | undefined;
  let timer: NodeJS.Timeout | undefined;
  let early = '';
  const run = ssh.execCommand(command, {
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    noTrim: true,
    onChannel: (opened) => {
      channel = opened;
    },
    ...(kill
      ? {
          onStderr: (chunk: Buffer) => {
            if (early.length < 200) early += chunk.toString();
          },
        }
      : {}),
  });
  // Settled after a timeout or cancellation has already failed the call: not an unhandled rejection.
  run.catch(() => undefined);
  const stop = async () => {
    const { group } = splitGroupMark(early);
    if (kill && group !== undefined) await kill(group).catch(() => undefined);
    channel?.close();
  };
  let onAbort: (() => void) | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    if (!options.signal) return;
    onAbort = () => {
      // Failed at once; the kill goes on in the background (a stopped command is not waited for).
      void stop();
      reject(
        new WireInstallError({
          what: `${target.name}: a command was cancelled`,
          host: target.name,
          evidence: [`command: ${shown}`],
        }),
      );
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
  const timedOut = new Promise<never>((_, reject) => {
    if (options.timeoutMs === undefined) return;
    timer = setTimeout(() => {
      void stop();
      reject(
        new WireInstallError({
          what: `${target.name}: a command did not finish within ${options.timeoutMs} ms and was stopped`,
          host: target.name,
          evidence: [`command: ${shown}`],
          next: 'check what the host is waiting for (network, a lock, a prompt); a longer timeout may be needed',
        }),
      );
    }, options.timeoutMs);
  });
  try {
    const result = await Promise.race([run, timedOut, cancelled]).catch(async (error: unknown) => {
      if (!options.signal?.aborted && (await connectionLost(ssh)))
        throw lostConnection(target, command, error);
      throw error;
    });
    if (result.code === null && (await connectionLost(ssh))) throw lostConnection(target, command);
    // A command ended by a signal has no exit status; 255, as ssh itself reports then.
    const signal = result.code === null && result.signal ? `\n(ended by signal ${result.signal})` : '';
    const stderr = kill ? splitGroupMark(result.stderr).rest : result.stderr;
    return { stdout: result.stdout, stderr: `${stderr}${signal}`, exitCode: result.code ?? 255 };
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}
