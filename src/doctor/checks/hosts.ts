import type { Host } from '../../inventory/defaults.js';
import { errorResult, fail, pass, skip, warn } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { connectedHosts } from './host-list.js';
import { aptSourcesCheck } from './hosts-apt-sources.js';
import { HOST_FACT_CHECKS } from './hosts-facts.js';

/**
 * The inventory hosts over the engine's SSH (the runner connected them once, with apply's code
 * and known-hosts store): reachable, host key known, root through sudo; then their measured
 * facts (hosts-facts.ts) and apt sources (hosts-apt-sources.ts). An unreachable host gets one
 * result, from hosts.reachable; the other checks leave it out.
 */

const always = () => undefined;

/** The ssh command an operator runs from the admin host to see what doctor saw. */
export function sshCommand(host: Host): string {
  const port = host.ssh.port === 22 ? '' : `-p ${host.ssh.port} `;
  const jump = host.ssh.bastion
    ? `-J ${host.ssh.bastion.user}@${host.ssh.bastion.address}${host.ssh.bastion.port === 22 ? '' : `:${host.ssh.bastion.port}`} `
    : '';
  return `ssh ${jump}${port}${host.ssh.user}@${host.address}`;
}

export function reachableResult(
  host: Host,
  context: Pick<DoctorContext, 'hosts' | 'unreachable'>,
): DoctorResult {
  const where = `${host.ssh.user}@${host.address}:${host.ssh.port}`;
  const reason = context.unreachable.get(host.name);
  if (reason !== undefined) {
    // The runner joins the error's sentence and its evidence with "; " (one line per part here).
    const lines = reason
      .split(/\n|; /)
      .map((line) => line.trim())
      .filter(Boolean);
    // The engine's wording (src/hosts/ssh-errors.ts): a changed key, and an unknown one refused
    // because ssh_config says StrictHostKeyChecking, need different fixes than a network problem.
    const keyChanged = /host key of .* has changed/i.test(reason);
    const keyUnknown = /host key of .* is not known/i.test(reason);
    const port = host.ssh.port === 22 ? '' : `-p ${host.ssh.port} `;
    return fail(
      'hosts.reachable',
      `${host.name} cannot be reached over SSH: ${lines[0] ?? 'no reason given'}`,
      keyChanged
        ? `compare the key on the host's console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) with the one offered; only if the change is expected (a reinstall) remove the old entry with ssh-keygen -R ${host.address}`
        : keyUnknown
          ? `check the offered key's fingerprint on the host's console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then add it (ssh-keyscan ${port}${host.address} >> ~/.ssh/known_hosts); your ssh_config's StrictHostKeyChecking refuses keys not known yet`
          : `from this machine, run \`${sshCommand(host)}\`; check the address and ssh.port in the inventory, that sshd runs on the host (systemctl status ssh), and that no firewall drops ${host.ssh.port}/tcp from this machine`,
      {
        host: host.name,
        evidence: lines.length > 1 ? lines.slice(1, 12) : [`ssh ${where}`],
      },
    );
  }
  if (!context.hosts.has(host.name))
    return skip('hosts.reachable', `${host.name} was not connected`, { host: host.name });
  return pass('hosts.reachable', `${host.name} answers over SSH at ${host.address}:${host.ssh.port}`, {
    host: host.name,
    evidence: [`connected: ${where}`],
  });
}

const reachableCheck: DoctorCheck = {
  id: 'hosts.reachable',
  group: 'hosts',
  title: 'Each inventory host answers over SSH',
  needsHosts: true,
  skipReason: always,
  run: async (context) => context.inventory.hosts.map((host) => reachableResult(host, context)),
};

/**
 * A key in no known_hosts file was trusted on first use in this run: fine on a first contact,
 * worth checking once by hand. A key that CHANGED refuses the connection, so hosts.reachable
 * reports it.
 */
const hostKeyCheck: DoctorCheck = {
  id: 'hosts.host-key',
  group: 'hosts',
  title: "Each host's SSH key is known (not trusted for the first time in this run)",
  needsHosts: true,
  skipReason: always,
  run: async (context) =>
    connectedHosts(context).map(({ host }) => {
      const fingerprint = context.newHostKeys.get(host.name);
      if (fingerprint === undefined)
        return pass('hosts.host-key', `${host.name}'s host key matches the one recorded`, {
          host: host.name,
          evidence: ['known_hosts: the key was recorded before this run'],
        });
      return warn(
        'hosts.host-key',
        `${host.name}'s host key is in no known_hosts file: doctor used it for this run without recording it`,
        `on ${host.name}'s console run \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` and compare it with ${fingerprint}; if they match, apply records it (or add it to ~/.ssh/known_hosts); if not, someone is between this machine and the host: find out why before going on`,
        { host: host.name, evidence: [`offered: ${fingerprint} (not recorded)`] },
      );
    }),
};

/** Every step runs as root (through sudo when ssh.become is set): `id -u` the way the engine runs it. */
const sudoCheck: DoctorCheck = {
  id: 'hosts.sudo',
  group: 'hosts',
  title: 'Commands run as root on each host (through sudo when ssh.become is set)',
  needsHosts: true,
  skipReason: always,
  run: async (context) =>
    Promise.all(
      connectedHosts(context).map(async ({ host, remote }) => {
        const how = host.ssh.become.enabled ? `sudo as ${host.ssh.user}` : `logged in as ${host.ssh.user}`;
        try {
          const result = await remote.exec('id -u', { timeoutMs: 20_000, signal: context.signal });
          const uid = result.stdout.trim();
          const evidence = [`id -u (${how}): ${uid || `exit ${result.exitCode}: ${result.stderr.trim()}`}`];
          if (result.exitCode === 0 && uid === '0')
            return pass('hosts.sudo', `${host.name}: commands run as root (${how})`, {
              host: host.name,
              evidence,
            });
          return fail(
            'hosts.sudo',
            `${host.name}: commands do not run as root (${how})`,
            host.ssh.become.enabled
              ? `allow ${host.ssh.user} to use sudo on ${host.name} (sudo -v there; ssh.become.password: true if sudo asks for a password)`
              : 'set ssh.become.enabled: true (sudo) in the inventory, or log in as root',
            { host: host.name, evidence },
          );
        } catch (error) {
          return errorResult('hosts.sudo', `running id -u on ${host.name}`, error, host.name);
        }
      }),
    ),
};

/** doctor's hosts checks (docs/doctor.md). */
export const HOSTS_CHECKS: readonly DoctorCheck[] = [
  reachableCheck,
  hostKeyCheck,
  sudoCheck,
  ...HOST_FACT_CHECKS,
  aptSourcesCheck,
];
