import { readFile } from 'node:fs/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import { NodeSSH } from 'node-ssh';
import type { ClientChannel } from 'ssh2';
import { WireInstallError } from '../core/errors.js';
import { DEFAULT_SSH_KEEPALIVE } from '../inventory/defaults.js';
import { explainSudoFailure, shellQuote, wrapForBecome } from './become.js';
import { type ConnectionWatch, watchConnection } from './connection-watch.js';
import type { HostKeyVerdict, KnownHostEntry } from './known-hosts.js';
import { createLimiter } from './limiter.js';
import { fenceRefusal } from './network-fence.js';
import { explainSshError, type HostKeyEvidence, hostLostError } from './ssh-errors.js';
import { checkHostKey, keyFingerprint, keyTypeOf, type TrustStore } from './trust-on-first-use.js';
import type { ExecOptions, ExecResult, Keepalive, RemoteHost, SshTarget } from './types.js';

/**
 * A host over SSH: one persistent connection for the whole run with Nagle off (LAB.md measured
 * 0.24-1.1 s for 100 commands against 4.7 s with it on), keepalive, and a channel per command.
 * Host keys are verified against known_hosts (and the trust-on-first-use store when given);
 * a changed key is always refused, an unknown one unless trust on first use is allowed.
 * Every emitter of the connection has an 'error' listener for its whole life
 * (connection-watch.ts): a host that goes away fails its commands, and settles `lost`, with
 * the host named, never with an unhandled error event.
 */

/** The inventory's default (ssh.keepalive), for connections made without an inventory. */
export const DEFAULT_KEEPALIVE: Keepalive = DEFAULT_SSH_KEEPALIVE;

/** One connection and what watches it; the bastion's, when there is one, goes with it. */
interface Link {
  ssh: NodeSSH;
  watch: ConnectionWatch;
  target: SshTarget;
  keepalive: Keepalive;
}

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
): Promise<{ ssh: NodeSSH; watch: ConnectionWatch; hostKey: string | undefined }> {
  const timeout = options.connectTimeoutMs ?? 10_000;
  const tofu = options.trustOnFirstUse;
  const keepalive = target.keepalive ?? DEFAULT_KEEPALIVE;
  let verdict: HostKeyVerdict | undefined;
  let offered: Buffer | undefined;
  let evidence: HostKeyEvidence | undefined;
  const ssh = new NodeSSH();
  let watch: ConnectionWatch | undefined;
  try {
    const agent = (options.env ?? process.env).SSH_AUTH_SOCK;
    const privateKey = target.identityFile ? await readFile(target.identityFile, 'utf8') : undefined;
    const connecting = ssh.connect({
      sock: sock as never,
      host: target.address,
      port: target.port,
      username: target.user,
      readyTimeout: timeout,
      keepaliveInterval: keepalive.intervalSeconds * 1000,
      // ssh2 gives up when a keepalive finds more than this many unanswered before it: lost
      // after `count` intervals of silence.
      keepaliveCountMax: keepalive.count - 1,
      ...(privateKey !== undefined ? { privateKey } : {}),
      ...(agent && !target.identityFile ? { agent } : {}),
      // The key (or the agent) straight away: ssh2 would first try "none", a round trip that
      // only learns which methods the host allows.
      ...(privateKey !== undefined
        ? { authHandler: ['publickey' as const] }
        : agent
          ? { authHandler: ['agent' as const] }
          : {}),
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
    // node-ssh makes the ssh2 client synchronously inside connect() (the key is read above, so
    // it awaits nothing first): the watch listens before any packet can arrive, and keeps
    // listening after node-ssh drops its own listener at 'ready'.
    if (ssh.connection) watch = watchConnection(ssh.connection);
    watch?.guard(sock as unknown as NodeJS.EventEmitter);
    await connecting;
    if (!ssh.connection) throw new Error('the connection closed as it was made');
    watch ??= watchConnection(ssh.connection);
  } catch (error) {
    watch?.closing();
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
      watch.closing();
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
        watch.closing();
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
  return { ssh, watch, hostKey: evidence ? `${evidence.keyType} ${evidence.fingerprint}` : undefined };
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
    connection.forwardOut('127.0.0.1', 0, target.address, target.port, (error, stream) => {
      if (error) {
        reject(error);
        return;
      }
      // Until the target's client takes the stream over (ssh2 then listens on it and ends the
      // target's connection on an error, which its watch reports), an error here has no one
      // else to go to; after that, this listener only keeps it from ending the process.
      stream.on('error', () => undefined);
      resolve(stream);
    });
  });
}

export async function connectSsh(target: SshTarget, options: SshConnectOptions): Promise<RemoteHost> {
  const timeout = options.connectTimeoutMs ?? 10_000;
  let bastion: Awaited<ReturnType<typeof openSsh>> | undefined;
  let opened: Awaited<ReturnType<typeof openSsh>>;
  if (target.bastion) {
    const jump = await connectBastion(
      { ...target.bastion, keepalive: target.bastion.keepalive ?? target.keepalive ?? DEFAULT_KEEPALIVE },
      options,
      timeout,
    );
    bastion = jump;
    const closeJump = () => {
      jump.watch.closing();
      jump.ssh.dispose();
    };
    let stream: NodeJS.ReadableStream & NodeJS.WritableStream;
    try {
      stream = await forwardThrough(jump.ssh, target);
    } catch (error) {
      closeJump();
      throw explainSshError(error, target, undefined);
    }
    opened = await openSsh(target, options, stream).catch((error) => {
      closeJump();
      throw error;
    });
  } else {
    let sock: Socket;
    try {
      sock = await openSocket(target.address, target.port, timeout);
    } catch (error) {
      throw explainSshError(error, target, undefined);
    }
    opened = await openSsh(target, options, sock);
  }
  const keepalive = target.keepalive ?? DEFAULT_KEEPALIVE;
  const link: Link = { ...opened, target, keepalive };
  const limit = createLimiter(CHANNELS_PER_CONNECTION);
  // A lost bastion cuts the target's stream, so the target's own watch reports it.
  const lost = link.watch.lost.then((reason) => hostLostError(target, reason, keepalive));
  return {
    name: target.name,
    ...(opened.hostKey ? { hostKey: opened.hostKey } : {}),
    exec: (command, execOptions) => limit(() => withChannelRetry(() => execOn(link, command, execOptions))),
    putFile: (localPath, remotePath) => putFileOn(link, limit, localPath, remotePath),
    lost,
    close: () => {
      link.watch.closing();
      link.ssh.dispose();
      bastion?.watch.closing();
      bastion?.ssh.dispose();
    },
  };
}

async function connectBastion(
  bastion: SshTarget,
  options: SshConnectOptions,
  timeout: number,
): Promise<Awaited<ReturnType<typeof openSsh>>> {
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
  link: Link,
  limit: ReturnType<typeof createLimiter>,
  localPath: string,
  remotePath: string,
): Promise<void> {
  const { target } = link;
  const asLogin = (command: string) => limit(() => withChannelRetry(() => runChannel(link, command, {})));
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
    await limit(() => withChannelRetry(() => transfer(link, localPath, temporary))).catch(
      async (error: unknown) => {
        const reason = await connectionLost(link);
        if (reason)
          throw hostLostError(target, reason, link.keepalive, `upload of ${localPath} to ${remotePath}`);
        throw failed('the transfer failed', error instanceof Error ? error.message : String(error));
      },
    );
    const moved = await limit(() =>
      withChannelRetry(() => execOn(link, `mv -f -- ${shellQuote(temporary)} ${shellQuote(remotePath)}`)),
    );
    if (moved.exitCode !== 0) throw failed('the move into place failed', moved.stderr.trim());
  } catch (error) {
    await asLogin(`rm -f -- ${shellQuote(temporary)}`).catch(() => undefined);
    throw error;
  }
}

/** One SFTP session for one file, with a listener for its errors (node-ssh's session has none). */
async function transfer(link: Link, localPath: string, remotePath: string): Promise<void> {
  if (link.watch.reason()) throw new Error('the connection is lost');
  const sftp = await link.ssh.requestSFTP();
  let failedSession: Error | undefined;
  link.watch.guard(sftp, (error) => {
    failedSession ??= error;
  });
  try {
    await link.ssh.putFile(localPath, remotePath, sftp);
  } finally {
    sftp.end();
  }
  if (failedSession) throw failedSession;
}

async function execOn(link: Link, rawCommand: string, rawOptions: ExecOptions = {}): Promise<ExecResult> {
  const { target } = link;
  // A command that may be stopped runs in a process group of its own whose id it reports first,
  // so stopping it kills everything it started (inOwnSession). (sshd does not deliver a client's
  // signal request, and closing the channel does not end a command that is not writing.)
  const stoppable = rawOptions.signal !== undefined || rawOptions.timeoutMs !== undefined;
  const { command, options } = wrapForBecome(
    stoppable ? inOwnSession(rawCommand) : rawCommand,
    rawOptions,
    target.become,
  );
  // `-s KILL --`: dash (sh under sudo) refuses `kill -KILL -- -GROUP` ("Illegal number: -").
  const kill = (group: number) =>
    execOn(link, `kill -s KILL -- -${group} 2>/dev/null; true`).then(() => undefined);
  const result = await runChannel(link, command, options, stoppable ? kill : undefined);
  const sudoRefused = target.become?.enabled ? explainSudoFailure(result, target.name) : undefined;
  if (sudoRefused) throw sudoRefused;
  return result;
}

const GROUP_MARK = 'wire-install-process-group=';

/**
 * What a stoppable command runs in: `sh -c OWN_GROUP COMMAND`, exec-ed by the login shell, so it
 * keeps that shell's pid. sshd starts every command's shell as the leader of a new session and
 * process group, which holds the command and everything it starts: the script checks that it
 * leads its group (/proc/$$/stat, read by the shell itself: after the name come state, ppid,
 * pgrp), reports the group and execs the command in place, so a stoppable command costs no
 * process more than any other. Where the shell leads no group of its own (under sudo without a
 * pty it shares sudo's; another SSH server; no /proc), setsid makes a session for it first
 * (setsid forks only a group leader). Either way the group reported holds the command and all
 * it started, and nothing else: killing it stops them all.
 */
const OWN_GROUP = [
  'g=',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${...}, not a placeholder
  'if read -r s < /proc/$$/stat; then s=${s##*") "}; set -- $s; g=$3; fi 2>/dev/null',
  `if [ "$g" = "$$" ]; then echo "${GROUP_MARK}$$" >&2; exec sh -c "$0"; fi`,
  `exec setsid -w sh -c 'echo "${GROUP_MARK}$$" >&2; exec sh -c "$0"' "$0"`,
].join('\n');

export function inOwnSession(command: string): string {
  return `exec sh -c ${shellQuote(OWN_GROUP)} ${shellQuote(command)}`;
}

/**
 * The process group a stoppable command reported on its first stderr line (once the line is
 * whole: a part of it would name another group), and stderr without it.
 */
function splitGroupMark(stderr: string): { group: number | undefined; rest: string } {
  if (!stderr.startsWith(GROUP_MARK)) return { group: undefined, rest: stderr };
  const end = stderr.indexOf('\n');
  if (end < 0) return { group: undefined, rest: '' };
  const group = Number(stderr.slice(GROUP_MARK.length, end));
  return {
    group: Number.isInteger(group) && group > 1 ? group : undefined,
    rest: stderr.slice(end + 1),
  };
}

/** How long a stopped command that has not yet reported its group (sudo still starting) is waited for. */
const GROUP_MARK_WAIT_MS = 10_000;

/**
 * Why the connection is gone, or undefined while it is up: a command that ended without an
 * exit status, or a channel that failed, is a lost host when the connection closed too. A
 * moment is allowed for the close to arrive after the channel's end.
 */
async function connectionLost(link: Link) {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    link.watch.lost,
    new Promise((resolve) => {
      timer = setTimeout(resolve, 300);
    }),
  ]);
  clearTimeout(timer);
  return link.watch.reason();
}

async function runChannel(
  link: Link,
  command: string,
  options: ExecOptions,
  kill?: (group: number) => Promise<void>,
): Promise<ExecResult> {
  const { ssh, target } = link;
  const lostAlready = link.watch.reason();
  if (lostAlready) throw hostLostError(target, lostAlready, link.keepalive, command);
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
  /** Set once the command is to be stopped: by its group, as soon as it has reported it. */
  let stopping: 'waiting' | 'killed' | undefined;
  const killGroup = async (group: number) => {
    stopping = 'killed';
    await kill?.(group).catch(() => undefined);
    channel?.close();
  };
  let failChannel!: (error: Error) => void;
  const channelFailed = new Promise<never>((_, reject) => {
    failChannel = reject;
  });
  channelFailed.catch(() => undefined);
  const run = ssh.execCommand(command, {
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    noTrim: true,
    onChannel: (opened) => {
      channel = opened;
      // node-ssh listens for neither: a channel's error fails this command, and only this one.
      link.watch.guard(opened, failChannel);
      link.watch.guard(opened.stderr, failChannel);
    },
    ...(kill
      ? {
          onStderr: (chunk: Buffer) => {
            if (early.length >= 200) return;
            early += chunk.toString();
            if (stopping !== 'waiting') return;
            const { group } = splitGroupMark(early);
            if (group !== undefined) void killGroup(group);
          },
        }
      : {}),
  });
  // Settled after a timeout or cancellation has already failed the call: not an unhandled rejection.
  run.catch(() => undefined);
  const stop = async () => {
    if (stopping) return;
    const { group } = splitGroupMark(early);
    if (kill && group !== undefined) return killGroup(group);
    if (!kill || early.length >= 200) {
      channel?.close();
      return;
    }
    // Stopped before it said which group it runs in (sudo may take a moment to start it): the
    // group is killed as soon as it does. Closing the channel now would leave the command running.
    stopping = 'waiting';
    setTimeout(() => {
      if (stopping === 'waiting') channel?.close();
    }, GROUP_MARK_WAIT_MS).unref();
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
    const result = await Promise.race([run, timedOut, cancelled, channelFailed]).catch(
      async (error: unknown) => {
        const reason = options.signal?.aborted ? undefined : await connectionLost(link);
        if (reason) throw hostLostError(target, reason, link.keepalive, command);
        throw error;
      },
    );
    const reason = result.code === null ? await connectionLost(link) : undefined;
    if (reason) throw hostLostError(target, reason, link.keepalive, command);
    // A command ended by a signal has no exit status; 255, as ssh itself reports then.
    const signal = result.code === null && result.signal ? `\n(ended by signal ${result.signal})` : '';
    const stderr = kill ? splitGroupMark(result.stderr).rest : result.stderr;
    return { stdout: result.stdout, stderr: `${stderr}${signal}`, exitCode: result.code ?? 255 };
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}
