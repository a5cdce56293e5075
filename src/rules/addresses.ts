import { isIP } from 'node:net';
import type { Finding } from '../core/finding.js';
import type { Host, Inventory } from '../inventory/defaults.js';
import { checkDuplicateAddresses } from './address-duplicates.js';
import { cidrsOverlap, endpointHost, ipInCidr, isPrivateAddress, unusableKind } from './ip.js';
import { keyName } from './text.js';

export { ipInCidr, parseCidr } from './ip.js';

/**
 * Host addresses (docs/wire/inventory-and-hardware.md#per-host-variables, #os-and-network-rules, docs/wire/known-problems.md#advice-against-10x-networks): static, distinct, outside Kubernetes' own pod and
 * service networks, and preferably not in 10.x, which Wire advises against for VM networks.
 */

const ADVICE = 'Wire advises 192.168.x or 172.16-31.x for VM networks';

/** One address a host declares, with the key it was written under. */
interface Declared {
  key: 'address' | 'privateAddress';
  value: string;
  /** Used by the other hosts to reach this one (privateAddress, or address standing in for it). */
  internal: boolean;
}

function declared(host: Host): Declared[] {
  const list: Declared[] = [];
  if (isIP(host.address)) {
    list.push({ key: 'address', value: host.address, internal: host.privateAddress === host.address });
  }
  if (host.privateAddress !== undefined && host.privateAddress !== host.address) {
    list.push({ key: 'privateAddress', value: host.privateAddress, internal: true });
  }
  return list;
}

function unusable(host: Host, path: (string | number)[], value: string, what: string): Finding[] {
  const kind = unusableKind(value);
  if (!kind) return [];
  return [
    {
      severity: 'error',
      rule: 'address.unusable',
      host: host.name,
      path,
      message: `${host.name}: ${what} ${value} is a ${kind} address, which other machines cannot use to reach this host`,
      measured: `${value} (${kind})`,
      required: 'a stable unicast address of the host',
      fix: `set ${keyName(path)} to the host's static ${what === 'externalIp' ? 'public' : 'private'} IP`,
    },
  ];
}

function inCluster(inventory: Inventory, path: (string | number)[], value: string, owner: string): Finding[] {
  const { podCidr, serviceCidr } = inventory.kubernetes;
  for (const [cidr, network, key] of [
    [podCidr, 'pod', 'podCidr'],
    [serviceCidr, 'service', 'serviceCidr'],
  ] as const) {
    if (!ipInCidr(value, cidr)) continue;
    return [
      {
        severity: 'error',
        rule: `address.in-${network}-cidr`,
        path,
        message: `${owner}: ${keyName(path)} ${value} is inside the Kubernetes ${network} network ${cidr} (kubernetes.${key}); traffic to it would be routed into the cluster`,
        measured: value,
        required: `an address outside ${cidr}`,
        fix: `use an address outside ${cidr} (Wire advises 192.168.x or 172.16-31.x), or set kubernetes.${key} to a range no host uses`,
      },
    ];
  }
  return [];
}

function hostAddresses(inventory: Inventory, host: Host, index: number): Finding[] {
  if (host.privateAddress === undefined) {
    return [
      {
        severity: 'error',
        rule: 'address.private-missing',
        host: host.name,
        path: ['hosts', index, 'privateAddress'],
        message: `${host.name}: address ${host.address} is a DNS name, so the other hosts have no static private IP to reach ${host.name} on`,
        measured: `address ${host.address}, no privateAddress`,
        required: 'privateAddress (an IP) when address is a DNS name',
        fix: `add hosts[${index}].privateAddress: <static private IP of ${host.name}>`,
      },
    ];
  }
  const findings: Finding[] = [];
  for (const item of declared(host)) {
    const path = ['hosts', index, item.key];
    const broken = item.internal ? unusable(host, path, item.value, item.key) : [];
    if (broken.length > 0) {
      findings.push(...broken);
      continue;
    }
    const clash = inCluster(inventory, path, item.value, host.name).map((f) => ({ ...f, host: host.name }));
    findings.push(...clash);
    if (clash.length === 0 && ipInCidr(item.value, '10.0.0.0/8')) {
      findings.push({
        severity: 'warning',
        rule: 'address.ten-network',
        host: host.name,
        path,
        message: `${host.name}: ${item.key} ${item.value} is in 10.0.0.0/8, which Kubernetes also uses for its pod and service networks; ${ADVICE}`,
        measured: item.value,
        required: 'an address outside 10.0.0.0/8 recommended',
        fix: `move ${host.name} to a 192.168.x or 172.16-31.x network if you can; keep kubernetes.podCidr and serviceCidr clear of it`,
      });
    }
  }
  if (host.externalIp !== undefined) {
    const path = ['hosts', index, 'externalIp'];
    const broken = unusable(host, path, host.externalIp, 'externalIp');
    findings.push(...broken);
    if (broken.length === 0 && isPrivateAddress(host.externalIp)) {
      findings.push({
        severity: 'warning',
        rule: 'address.external-private',
        host: host.name,
        path,
        message: `${host.name}: externalIp ${host.externalIp} is a private address; clients outside your network cannot reach it for calls`,
        measured: host.externalIp,
        required: 'a public IP recommended',
        fix: `set hosts[${index}].externalIp to the public IP that is forwarded 1:1 to ${host.name}`,
      });
    }
  }
  return findings;
}

function clusterNetworks(inventory: Inventory): Finding[] {
  const { podCidr, serviceCidr, apiEndpoint } = inventory.kubernetes;
  const findings: Finding[] = [];
  if (cidrsOverlap(podCidr, serviceCidr)) {
    findings.push({
      severity: 'error',
      rule: 'address.cidr-overlap',
      path: ['kubernetes', 'serviceCidr'],
      message: `the pod network ${podCidr} and the service network ${serviceCidr} overlap; Kubernetes needs them apart`,
      measured: `podCidr ${podCidr}, serviceCidr ${serviceCidr}`,
      required: 'non-overlapping ranges',
      fix: 'use separate ranges, e.g. the defaults podCidr 10.233.64.0/18 and serviceCidr 10.233.0.0/18',
    });
  }
  const endpoint = apiEndpoint === undefined ? undefined : endpointHost(apiEndpoint);
  if (endpoint !== undefined && isIP(endpoint)) {
    findings.push(...inCluster(inventory, ['kubernetes', 'apiEndpoint'], endpoint, 'Kubernetes API'));
  }
  return findings;
}

export function checkAddresses(inventory: Inventory): Finding[] {
  return [
    ...checkDuplicateAddresses(inventory),
    ...inventory.hosts.flatMap((host, index) => hostAddresses(inventory, host, index)),
    ...clusterNetworks(inventory),
  ];
}
