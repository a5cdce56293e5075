import { readFileSync } from 'node:fs';
import { type KnownHostEntry, parseKnownHosts } from '../../src/hosts/known-hosts.js';
import { connectSsh } from '../../src/hosts/ssh-host.js';
import type { RemoteHost, SshTarget } from '../../src/hosts/types.js';

/** What the lab's global setup started: names, addresses, the client key and the host keys. */
export const LAB_RUN = '/run/wire-install-lab';
export const LAB_KEY = `${LAB_RUN}/id_ed25519`;
export const LAB_KNOWN_HOSTS = `${LAB_RUN}/known_hosts`;

export interface LabHost {
  name: string;
  address: string;
}

/**
 * The lab's hosts, in order. LAB_HOSTS_FROM=N (by hand, with LAB_KEEP=1 and a lab started with
 * more hosts) starts the list at the Nth host, so two test runs can work on one lab at once,
 * each on its own hosts (e.g. `lab.sh up 15`, then runs with LAB_HOSTS_FROM=6 and 11).
 */
export function labHosts(): LabHost[] {
  const from = Number(process.env.LAB_HOSTS_FROM ?? '1');
  return readFileSync(`${LAB_RUN}/hosts`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [name = '', address = ''] = line.split(' ');
      return { name, address };
    })
    .slice(Number.isInteger(from) && from > 1 ? from - 1 : 0);
}

/** The lab's known_hosts, parsed. */
export function labKnownHosts(): KnownHostEntry[] {
  return parseKnownHosts(readFileSync(LAB_KNOWN_HOSTS, 'utf8'));
}

/** The SSH target of a lab host, as root with the lab key unless `extra` says otherwise. */
export function labTarget(host: LabHost, extra: Partial<SshTarget> = {}): SshTarget {
  return { name: host.name, address: host.address, port: 22, user: 'root', identityFile: LAB_KEY, ...extra };
}

export function connectLabHost(host: LabHost, extra: Partial<SshTarget> = {}): Promise<RemoteHost> {
  return connectSsh(labTarget(host, extra), { knownHosts: labKnownHosts() });
}
