import { WireInstallError } from '../core/errors.js';
import type { LossReason } from './connection-watch.js';
import { type HostKeyVerdict, knownHostName } from './known-hosts.js';
import type { Keepalive, SshTarget } from './types.js';

/** The key a refused host offered and the known_hosts files it was checked against. */
export interface HostKeyEvidence {
  keyType: string;
  /** `SHA256:...`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** The files listing the host (for a changed key), or those searched (for an unknown one). */
  files: readonly string[];
}

/** The host's own public key file of that type, to read its fingerprint on the console. */
function hostKeyFile(keyType: string): string {
  const kind = keyType.startsWith('ecdsa')
    ? 'ecdsa'
    : keyType.includes('rsa')
      ? 'rsa'
      : keyType.includes('ed25519')
        ? 'ed25519'
        : keyType.replace(/^ssh-/, '');
  return `/etc/ssh/ssh_host_${kind}_key.pub`;
}

/**
 * SSH failures as a sysadmin reads them: refused, timed out, authentication failed, host key
 * changed or unknown, each with what to check; never a bare error code.
 */
export function explainSshError(
  error: unknown,
  target: SshTarget,
  verdict: HostKeyVerdict | undefined,
  hostKey?: HostKeyEvidence,
): WireInstallError {
  const where = `${target.user}@${target.address}:${target.port}`;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  const fail = (what: string, next: string) =>
    new WireInstallError(
      { what, host: target.name, evidence: [`${where}: ${message}`], next },
      { cause: error },
    );

  const hostName = knownHostName(target.address, target.port);
  const offered = hostKey ? [`offered key: ${hostKey.keyType} ${hostKey.fingerprint}`] : [];
  const keyFile = hostKeyFile(hostKey?.keyType ?? 'ssh-ed25519');
  if (verdict?.status === 'mismatch') {
    const files = hostKey?.files ?? [];
    const remove =
      files.length > 0
        ? files.map((file) => `\`ssh-keygen -R ${hostName} -f ${file}\``).join(' and ')
        : `\`ssh-keygen -R ${hostName}\``;
    return new WireInstallError(
      {
        what: `the SSH host key of ${target.name} has changed: the key ${target.address} offered is not the one recorded for it${files.length > 0 ? ` in ${files.join(', ')}` : ''}, so the connection is refused (the host may have been reinstalled, or someone is in between)`,
        host: target.name,
        evidence: [
          `${where}: ${message}`,
          ...offered,
          `recorded key type(s): ${verdict.expected.join(', ')}`,
          ...(files.length > 0 ? [`recorded in: ${files.join(', ')}`] : []),
        ],
        next: `check the key on the host's console (ssh-keygen -lf ${keyFile})${hostKey ? ` and compare it with ${hostKey.fingerprint}` : ''}; only if they are the same and the change is expected (a reinstall), remove the old entry with ${remove}, then connect again`,
      },
      { cause: error },
    );
  }
  if (verdict?.status === 'unknown') {
    const searched = hostKey?.files.length ? [`searched: ${hostKey.files.join(', ')}`] : [];
    return new WireInstallError(
      {
        what: `the SSH host key of ${target.name} (${target.address}) is not known, and unknown keys are refused`,
        host: target.name,
        evidence: [`${where}: ${message}`, ...offered, ...searched],
        next: `add it to known_hosts after checking its fingerprint${hostKey ? ` (${hostKey.fingerprint})` : ''} on the host's console (ssh-keygen -lf ${keyFile}; ssh-keyscan ${target.port === 22 ? '' : `-p ${target.port} `}${target.address} >> ~/.ssh/known_hosts), or allow trust on first use`,
      },
      { cause: error },
    );
  }
  if (code === 'ECONNREFUSED') {
    return fail(
      `${target.name}: connection refused on ${target.address} port ${target.port} (nothing listens there)`,
      'check that sshd runs on the host and the port in the inventory (ssh.port) is right',
    );
  }
  if (
    code === 'ETIMEDOUT' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    /timed out/i.test(message)
  ) {
    return fail(
      `${target.name}: no answer from ${target.address} port ${target.port} (timed out or unreachable)`,
      'check the address, routing and firewalls between this machine and the host (or the bastion)',
    );
  }
  if (/authentication methods failed/i.test(message)) {
    return fail(
      `${target.name}: SSH login as ${target.user} was refused (authentication failed)`,
      "check ssh.user and ssh.identityFile in the inventory, and that the key's public half is in the user's ~/.ssh/authorized_keys",
    );
  }
  return fail(`${target.name}: SSH connection failed: ${message}`, 'run again with --verbose for details');
}

/** A host lost after it was connected: the engine tells it from a step's own failure by its class. */
export class HostLostError extends WireInstallError {}

/**
 * A host that went away after it was connected: it stopped answering keepalives, or the
 * connection was cut (powered off, rebooted, network gone). `command` is what ran when it
 * happened; without one the caller adds what the host was doing. apply resumes from its checkpoints, so the next step
 * is always the same: bring the host back, then run again (doctor meets this error too).
 */
export function hostLostError(
  target: SshTarget,
  reason: LossReason,
  keepalive: Keepalive,
  command?: string,
): HostLostError {
  // Without a command the caller says what the host was doing (run-steps.ts: idle, or a step that failed as it went).
  const during = command === undefined ? '' : ' while a command ran';
  const what =
    reason.kind === 'silent'
      ? `${target.name}: ${target.address} stopped answering${during}: no answer to SSH keepalives for ${keepalive.intervalSeconds * keepalive.count} s (the host is down or frozen, or the network to it is cut)`
      : `${target.name}: the connection to ${target.address} was lost${during} (the host went down, rebooted or dropped off the network)`;
  const evidence = [
    ...(command === undefined
      ? []
      : [`command: ${command.length > 200 ? `${command.slice(0, 200)}...` : command}`]),
    ...(reason.cause ? [`${target.user}@${target.address}:${target.port}: ${reason.cause.message}`] : []),
  ];
  return new HostLostError(
    {
      what,
      host: target.name,
      evidence,
      next: `check that ${target.name} is up and reachable (ping ${target.address}; ssh -p ${target.port} ${target.user}@${target.address}), then run the command again (apply resumes with the steps that did not finish)`,
    },
    { cause: reason.cause },
  );
}
