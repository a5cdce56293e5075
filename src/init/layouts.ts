import type { Role } from '../inventory/roles.js';
import type { HostAnswer, Mode } from './answers.js';

/**
 * Suggested host layouts for common sizes, with the sizing Wire documents for each role
 * (docs/wire/install-sequences.md#wiab-dev, docs/wire/inventory-and-hardware.md#hardware). The wizard offers them as a starting point (names, roles and
 * the suggested resources as defaults); `--layout NAME --addresses A,B,...` uses them by flag.
 */

export interface Resources {
  cpus: number;
  memoryGiB: number;
  diskGiB: number;
}

export interface LayoutSlot {
  name: string;
  roles: Role[];
  suggested: Resources;
}

export interface Layout {
  id: string;
  mode: Mode;
  title: string;
  /** The hosts, with calling roles placed where Wire wants them (SFT and TURN on different nodes). */
  slots(calling: Calling): LayoutSlot[];
}

export interface Calling {
  sft: boolean;
  coturn: boolean;
  /** Sizes the SFT node: Wire counts 1 vCPU per 50 concurrent participants (docs/wire/inventory-and-hardware.md#calling-capacity). */
  sftParticipants?: number;
}

const KUBE: Role[] = ['kube-control-plane', 'kube-worker'];
const DATA: Role[] = ['cassandra', 'elasticsearch', 'minio', 'postgresql', 'rabbitmq'];

/** Per-role sizing: Kubernetes nodes from the draft production table, databases from 3.1-3.3. */
const SIZE = {
  demo: { cpus: 16, memoryGiB: 24, diskGiB: 250 },
  kube: { cpus: 6, memoryGiB: 8, diskGiB: 80 },
  data: { cpus: 8, memoryGiB: 16, diskGiB: 800 },
  cassandra: { cpus: 2, memoryGiB: 4, diskGiB: 80 },
  elasticsearch: { cpus: 1, memoryGiB: 2, diskGiB: 60 },
  minio: { cpus: 1, memoryGiB: 2, diskGiB: 400 },
  postgresql: { cpus: 2, memoryGiB: 2, diskGiB: 50 },
  rabbitmq: { cpus: 2, memoryGiB: 4, diskGiB: 80 },
  assethost: { cpus: 1, memoryGiB: 4, diskGiB: 100 },
} satisfies Record<string, Resources>;

function three(prefix: string, roles: Role[], suggested: Resources): LayoutSlot[] {
  return [1, 2, 3].map((n) => ({ name: `${prefix}${n}`, roles: [...roles], suggested }));
}

/** Extra vCPUs for SFT on top of a node's own: 1 per 50 concurrent participants (docs/wire/inventory-and-hardware.md#calling-capacity). */
function sftCpus(calling: Calling): number {
  return calling.sft ? Math.ceil((calling.sftParticipants ?? 50) / 50) : 0;
}

/** Three Kubernetes nodes; SFT on the second (with CPUs for it), TURN on the third, as in Wire's examples. */
function kubeNodes(calling: Calling): LayoutSlot[] {
  const nodes = three('kubenode', KUBE, SIZE.kube);
  const sftNode = nodes[1];
  if (calling.sft && sftNode) {
    sftNode.roles.push('sftd');
    sftNode.suggested = { ...SIZE.kube, cpus: SIZE.kube.cpus + sftCpus(calling) };
  }
  if (calling.coturn) nodes[2]?.roles.push('coturn');
  return nodes;
}

const ASSETHOST: LayoutSlot = { name: 'assethost', roles: ['assethost'], suggested: SIZE.assethost };

export const LAYOUTS: readonly Layout[] = [
  {
    id: 'demo',
    mode: 'demo',
    title: 'one host: Kubernetes, the databases inside it, and calling (16 cores, 24 GiB, 250 GiB)',
    slots: (calling) => [
      {
        name: 'wire',
        roles: [
          ...KUBE,
          ...(calling.sft ? (['sftd'] as Role[]) : []),
          ...(calling.coturn ? (['coturn'] as Role[]) : []),
        ],
        suggested: { ...SIZE.demo, cpus: SIZE.demo.cpus + sftCpus(calling) },
      },
    ],
  },
  {
    id: 'production',
    mode: 'production',
    title: '7 hosts: 3 Kubernetes nodes, 3 data nodes carrying every database, 1 asset host',
    slots: (calling) => [...kubeNodes(calling), ...three('datanode', DATA, SIZE.data), ASSETHOST],
  },
  {
    id: 'production-separate',
    mode: 'production',
    title: '19 hosts: 3 Kubernetes nodes, 3 hosts for each database, 1 asset host',
    slots: (calling) => [
      ...kubeNodes(calling),
      ...three('cassandra', ['cassandra'], SIZE.cassandra),
      ...three('elasticsearch', ['elasticsearch'], SIZE.elasticsearch),
      ...three('minio', ['minio'], SIZE.minio),
      ...three('postgresql', ['postgresql'], SIZE.postgresql),
      ...three('rabbitmq', ['rabbitmq'], SIZE.rabbitmq),
      ASSETHOST,
    ],
  },
];

export function findLayout(id: string): Layout | undefined {
  return LAYOUTS.find((layout) => layout.id === id);
}

export function layoutsFor(mode: Mode): Layout[] {
  return LAYOUTS.filter((layout) => layout.mode === mode);
}

/** Hosts of a layout with the addresses given in slot order (resources are left undeclared). */
export function layoutHosts(layout: Layout, addresses: readonly string[], calling: Calling): HostAnswer[] {
  return layout.slots(calling).map((slot, index) => ({
    name: slot.name,
    address: addresses[index] ?? '',
    roles: [...slot.roles],
  }));
}
