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

export function labHosts(): LabHost[] {
  return readFileSync(`${LAB_RUN}/hosts`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [name = '', address = ''] = line.split(' ');
      return { name, address };
    });
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
