import type { HostFacts } from '../../hosts/facts.js';
import type { RemoteHost } from '../../hosts/types.js';
import type { Host } from '../../inventory/defaults.js';
import type { DoctorContext } from '../types.js';

/**
 * The inventory hosts doctor is connected to, in inventory order, with their connection and
 * facts. An unreachable host is left out: hosts.reachable reports it, once.
 */
export interface ConnectedHost {
  host: Host;
  remote: RemoteHost;
  facts: HostFacts | undefined;
}

export function connectedHosts(context: DoctorContext): ConnectedHost[] {
  return context.inventory.hosts.flatMap((host) => {
    const remote = context.hosts.get(host.name);
    return remote ? [{ host, remote, facts: context.facts.get(host.name) }] : [];
  });
}

/** The facts of the connected inventory hosts only (the admin host's are not compared). */
export function inventoryFacts(context: DoctorContext): Map<string, HostFacts> {
  return new Map(
    context.inventory.hosts.flatMap((host) => {
      const facts = context.facts.get(host.name);
      return facts && context.hosts.has(host.name) ? [[host.name, facts] as const] : [];
    }),
  );
}
