import { type Inventory, trafficAddress } from '../inventory/defaults.js';

/** What chrony.conf says on a host: the first host is the reference, the others follow it. */
export function chronyValues(inventory: Inventory, hostName: string): Record<string, string> {
  const [first] = inventory.hosts;
  const others = inventory.hosts.filter((other) => other.name !== first?.name);
  if (first?.name === hostName) {
    return {
      role: 'its own clock, serving the other hosts',
      sources: '# No upstream server: the installation is offline; this host is the reference.',
      serving: ['local stratum 8', ...others.map((other) => `allow ${trafficAddress(other)}`)].join('\n'),
    };
  }
  return {
    role: `${first?.name}, the time source of this installation`,
    sources: `server ${first ? trafficAddress(first) : ''} iburst`,
    serving: '',
  };
}
