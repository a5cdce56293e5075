import type { Finding } from '../core/finding.js';
import type { Host, Inventory } from '../inventory/defaults.js';

/**
 * Two hosts with one address: wire-install would configure one machine twice (SSH), or the
 * other hosts could not tell them apart (private address). Part of checkAddresses.
 */

/** A finding for each host whose key an earlier host already has; an undefined key is left out. */
function duplicates(
  hosts: Host[],
  key: (host: Host) => string | undefined,
  finding: (host: Host, index: number, earlier: Host) => Finding,
): Finding[] {
  const seen = new Map<string, Host>();
  return hosts.flatMap((host, index) => {
    const value = key(host);
    if (value === undefined) return [];
    const earlier = seen.get(value);
    if (!earlier) seen.set(value, host);
    return earlier ? [finding(host, index, earlier)] : [];
  });
}

export function checkDuplicateAddresses(inventory: Inventory): Finding[] {
  // Same address on another port is a legitimate NAT port-forward, so the port is part of the key.
  const sshKey = (host: Host) => `${host.address.toLowerCase()} port ${host.ssh.port}`;
  const sshDuplicates = new Set<Host>();
  const ssh = duplicates(inventory.hosts, sshKey, (host, index, earlier) => {
    sshDuplicates.add(host);
    return {
      severity: 'error',
      rule: 'address.ssh-duplicate',
      host: host.name,
      path: ['hosts', index, 'address'],
      message: `${host.name} and ${earlier.name} both have SSH address ${sshKey(host)}; wire-install would configure one machine twice`,
      measured: sshKey(host),
      required: 'a different address (or SSH port) per host',
      fix: `set hosts[${index}].address to ${host.name}'s own address`,
    };
  });
  // A privateAddress that merely repeats a duplicate SSH address is already reported above.
  const privateKey = (host: Host) =>
    host.privateAddress === host.address && sshDuplicates.has(host) ? undefined : host.privateAddress;
  const internal = duplicates(inventory.hosts, privateKey, (host, index, earlier) => {
    const key = host.privateAddress === host.address ? 'address' : 'privateAddress';
    return {
      severity: 'error',
      rule: 'address.private-duplicate',
      host: host.name,
      path: ['hosts', index, key],
      message: `${host.name} and ${earlier.name} both have private address ${host.privateAddress}; the other hosts could not tell them apart`,
      measured: `${host.privateAddress}`,
      required: 'a different private address per host',
      fix: `set hosts[${index}].privateAddress to ${host.name}'s own static private IP`,
    };
  });
  return [...ssh, ...internal];
}
