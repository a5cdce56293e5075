import { readFileSync } from 'node:fs';
import { type KnownHostEntry, parseKnownHosts } from '../../src/hosts/known-hosts.js';
import { connectSsh } from '../../src/hosts/ssh-host.js';
import type { RemoteHost, SshTarget } from '../../src/hosts/types.js';
import { labHostCount, labSlots, SLOT_HOSTS, SLOT_SIZE } from './lab-slots.js';

/** What the lab's global setup started: names, addresses, the client key and the host keys. */
export const LAB_RUN = '/run/wire-install-lab';
export const LAB_KEY = `${LAB_RUN}/id_ed25519`;
export const LAB_KNOWN_HOSTS = `${LAB_RUN}/known_hosts`;

export { labHostCount, labSlots, SLOT_HOSTS } from './lab-slots.js';

export interface LabHost {
  name: string;
  address: string;
}

/**
 * The slot of this test file. LAB_SLOT=N (by hand, with LAB_KEEP=1) picks one. Otherwise, with
 * several slots, vitest's pool id: vitest.config.ts runs at most as many lab files at once as
 * there are slots, and no two files that run at once have the same pool id.
 */
export function labSlot(): number {
  const slots = labSlots();
  const chosen = process.env.LAB_SLOT ?? (slots > 1 ? process.env.VITEST_POOL_ID : '1');
  const slot = Number(chosen ?? '1');
  if (!Number.isInteger(slot) || slot < 1 || slot > slots)
    throw new Error(
      `lab slot ${chosen} is not one of the lab's ${slots} (LAB_SLOTS, LAB_SLOT, VITEST_POOL_ID)`,
    );
  return slot;
}

function everyLabHost(): LabHost[] {
  return readFileSync(`${LAB_RUN}/hosts`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [name = '', address = ''] = line.split(' ');
      return { name, address };
    });
}

function slotHosts(): LabHost[] {
  const first = (labSlot() - 1) * SLOT_SIZE;
  const hosts = everyLabHost().slice(first, first + SLOT_SIZE);
  if (hosts.length < SLOT_SIZE)
    throw new Error(
      `lab slot ${labSlot()} needs hosts ${first + 1}-${first + SLOT_SIZE}; the lab has fewer (lab.sh up ${labHostCount()})`,
    );
  return hosts;
}

/** The five hosts of this test file's slot, in order. */
export function labHosts(): LabHost[] {
  return slotHosts().slice(0, SLOT_HOSTS);
}

/** The spare host of this test file's slot: booted, in no inventory until a test adds it. */
export function spareLabHost(): LabHost {
  return slotHosts()[SLOT_HOSTS] as LabHost;
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
