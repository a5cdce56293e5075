import { BlockList, isIP } from 'node:net';

/**
 * A fence for test runs: with WIRE_INSTALL_ONLY_NETWORKS set (comma-separated CIDRs), an SSH
 * connection to any address outside them is refused before a packet is sent. The test suite
 * sets it to loopback and the lab's network (vitest.config.ts), so a test that goes wrong can
 * never reach a real host, e.g. the example inventory's addresses. Unset (every real use), it
 * does nothing.
 */
export const FENCE_ENV = 'WIRE_INSTALL_ONLY_NETWORKS';

export function fenceRefusal(address: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fence = env[FENCE_ENV];
  if (!fence) return undefined;
  const allowed = new BlockList();
  for (const cidr of fence
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    const [network = '', prefix = ''] = cidr.split('/');
    const family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
    allowed.addSubnet(network, Number(prefix || (family === 'ipv6' ? 128 : 32)), family);
  }
  const family = isIP(address);
  if (family !== 0 && allowed.check(address, family === 6 ? 'ipv6' : 'ipv4')) return undefined;
  return `${address} is outside ${FENCE_ENV}=${fence}: not contacted`;
}
