import type { Finding } from '../core/finding.js';
import type { Host, Inventory } from '../inventory/defaults.js';
import { DEMO_SIZING, KUBE_NODE_MIN_CPUS } from './hardware-table.js';
import { isPrivateAddress } from './ip.js';
import { plural } from './text.js';

/**
 * Calling (docs/wire/inventory-and-hardware.md#calling-capacity, docs/wire/known-problems.md#calls-fail, docs/wire/platform.md, docs/wire/known-problems.md#calling-replicas): sftd and coturn use hostNetwork, so one pod per node
 * and never the same node in production; SFT needs about 1 vCPU per 50 participants; and a
 * calling node behind NAT needs its public IP, or calls only work inside the network.
 */

const PARTICIPANTS_PER_CPU = 50;

interface Indexed {
  host: Host;
  index: number;
}

function withRole(inventory: Inventory, role: 'sftd' | 'coturn'): Indexed[] {
  return inventory.hosts.flatMap((host, index) => (host.roles.includes(role) ? [{ host, index }] : []));
}

function sharedNodes(inventory: Inventory): Finding[] {
  // WIAB Dev runs both on its single node, so the demo may too.
  if (inventory.mode === 'demo') return [];
  return withRole(inventory, 'sftd')
    .filter(({ host }) => host.roles.includes('coturn'))
    .map(({ host, index }) => ({
      severity: 'error',
      rule: 'calling.shared-node',
      host: host.name,
      path: ['hosts', index, 'roles'],
      message: `${host.name} has both sftd and coturn; both bind the host's network and Wire requires them on different nodes in production`,
      measured: 'sftd and coturn on one host',
      required: 'sftd and coturn on different hosts',
      fix: `remove sftd or coturn from hosts[${index}].roles and give it to another kube-worker host`,
    }));
}

function enabledWithoutHosts(inventory: Inventory, sftd: number, coturn: number): Finding[] {
  const findings: Finding[] = [];
  const { sft, coturn: turn } = inventory.wire.calling;
  for (const [service, role, enabled, hosts] of [
    ['sft', 'sftd', sft.enabled, sftd],
    ['coturn', 'coturn', turn.enabled, coturn],
  ] as const) {
    if (!enabled || hosts > 0) continue;
    findings.push({
      severity: 'error',
      rule: `calling.${service}-no-host`,
      path: ['wire', 'calling', service, 'enabled'],
      message: `wire.calling.${service}.enabled is true but no host has the ${role} role, so there is nowhere to run it`,
      measured: '0 hosts',
      required: `at least 1 host with ${role}`,
      fix: `add ${role} to the roles of a kube-worker host, or set wire.calling.${service}.enabled: false`,
    });
  }
  return findings;
}

function sftReplicas(inventory: Inventory, sftd: number): Finding[] {
  const { enabled, replicas } = inventory.wire.calling.sft;
  if (!enabled || sftd === 0 || replicas <= sftd) return [];
  return [
    {
      severity: 'error',
      rule: 'calling.sft-replicas',
      path: ['wire', 'calling', 'sft', 'replicas'],
      message: `wire.calling.sft.replicas is ${replicas} but only ${plural(sftd, 'host')} ${sftd === 1 ? 'has' : 'have'} sftd; sftd uses hostNetwork, so each pod needs its own node`,
      measured: `${replicas} replicas, ${plural(sftd, 'sftd host')}`,
      required: `at most ${sftd} (one per sftd host)`,
      fix: `set wire.calling.sft.replicas to ${sftd} or less, or add sftd to more kube-worker hosts`,
    },
  ];
}

function sftCapacity(inventory: Inventory, hosts: Indexed[]): Finding[] {
  const { enabled, concurrentParticipants } = inventory.wire.calling.sft;
  const cpus = hosts.map(({ host }) => host.resources.cpus);
  // Only when every sftd host declares its vCPUs; otherwise preflight measures them.
  if (!enabled || hosts.length === 0 || cpus.some((value) => value === undefined)) return [];
  // What is left over after the node's own minimum (the demo VM's, or a Kubernetes node's).
  const baseline = inventory.mode === 'demo' ? DEMO_SIZING.cpus.minimum.value : KUBE_NODE_MIN_CPUS;
  const available = cpus.reduce<number>((sum, value) => sum + Math.max(0, (value ?? 0) - baseline), 0);
  const needed = Math.ceil(concurrentParticipants / PARTICIPANTS_PER_CPU);
  if (available >= needed) return [];
  return [
    {
      severity: 'warning',
      rule: 'calling.sft-capacity',
      path: ['wire', 'calling', 'sft', 'concurrentParticipants'],
      message: `${concurrentParticipants} concurrent call participants need about ${plural(needed, 'vCPU')} for SFT (1 per ${PARTICIPANTS_PER_CPU}); the sftd hosts have ${plural(available, 'vCPU')} beyond the ${baseline} each node needs for itself`,
      measured: `${plural(available, 'spare vCPU')} on ${plural(hosts.length, 'sftd host')}`,
      required: `${plural(needed, 'spare vCPU')}`,
      fix: `add ${plural(needed - available, 'vCPU')} to the sftd hosts (and their resources.cpus), or add sftd to more hosts`,
    },
  ];
}

function externalIps(inventory: Inventory): Finding[] {
  const { sft, coturn } = inventory.wire.calling;
  return inventory.hosts.flatMap((host, index): Finding[] => {
    const roles = [
      ...(sft.enabled && host.roles.includes('sftd') ? ['sftd'] : []),
      ...(coturn.enabled && host.roles.includes('coturn') ? ['coturn'] : []),
    ];
    const internal = host.privateAddress;
    if (roles.length === 0 || host.externalIp !== undefined || !internal || !isPrivateAddress(internal)) {
      return [];
    }
    return [
      {
        severity: 'warning',
        rule: 'calling.external-ip-missing',
        host: host.name,
        path: ['hosts', index, 'externalIp'],
        message: `${host.name} runs ${roles.join(' and ')} with only the private address ${internal}; calls will work inside your network only, unless a 1:1 NAT forwards a public IP and it is declared`,
        measured: `privateAddress ${internal}, no externalIp`,
        required: 'externalIp: the public IP that reaches this host',
        fix: `add hosts[${index}].externalIp: <public IP forwarded 1:1 to ${host.name}>, or ignore if every client is on this network`,
      },
    ];
  });
}

export function checkCalling(inventory: Inventory): Finding[] {
  const sftd = withRole(inventory, 'sftd');
  const coturn = withRole(inventory, 'coturn');
  return [
    ...sharedNodes(inventory),
    ...enabledWithoutHosts(inventory, sftd.length, coturn.length),
    ...sftReplicas(inventory, sftd.length),
    ...sftCapacity(inventory, sftd),
    ...externalIps(inventory),
  ];
}
