import { WireInstallError } from '../core/errors.js';
import type { HostKeyVerdict } from './known-hosts.js';
import type { SshTarget } from './types.js';

/**
 * SSH failures as a sysadmin reads them: refused, timed out, authentication failed, host key
 * changed or unknown, each with what to check; never a bare error code.
 */
export function explainSshError(
  error: unknown,
  target: SshTarget,
  verdict: HostKeyVerdict | undefined,
): WireInstallError {
  const where = `${target.user}@${target.address}:${target.port}`;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  const fail = (what: string, next: string) =>
    new WireInstallError(
      { what, host: target.name, evidence: [`${where}: ${message}`], next },
      { cause: error },
    );

  if (verdict?.status === 'mismatch') {
    return fail(
      `the SSH host key of ${target.name} is not the one recorded for ${target.address}: refused (it may have been reinstalled, or someone is in between)`,
      `check the host's key on its console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub); if the change is expected, remove the old entry with \`ssh-keygen -R ${target.address}\``,
    );
  }
  if (verdict?.status === 'unknown') {
    return fail(
      `the SSH host key of ${target.name} (${target.address}) is not known, and unknown keys are refused`,
      `add it to known_hosts after checking its fingerprint on the host's console (ssh-keyscan ${target.address} >> ~/.ssh/known_hosts), or allow trust on first use`,
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
