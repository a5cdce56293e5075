import type { Inventory } from '../inventory/defaults.js';

/**
 * The stages of `apply`, in the order they run. A stage can be skipped as a whole for an
 * inventory (no Kubernetes to install with an existing cluster, no database VMs in a demo);
 * `skip` returns the sentence the plan shows then.
 */
export const STAGE_IDS = [
  'preflight',
  'assets',
  'bootstrap-host',
  'kubernetes',
  'databases',
  'workloads',
  'migrations',
  'verify',
] as const;

export type StageId = (typeof STAGE_IDS)[number];

export interface StageDefinition {
  id: StageId;
  title: string;
  /** Why the stage is skipped for this inventory, or undefined when it runs. */
  skip?: (inventory: Inventory) => string | undefined;
}

export const STAGES: readonly StageDefinition[] = [
  { id: 'preflight', title: 'Preflight: check the bundle, the admin host and every host' },
  { id: 'assets', title: 'Assets: serve the offline bundle to the hosts' },
  {
    id: 'bootstrap-host',
    title: 'Bootstrap hosts: names, time, apt sources, kernel settings',
  },
  {
    id: 'kubernetes',
    title: 'Kubernetes: install the cluster from the bundle',
    skip: (inventory) =>
      inventory.kubernetes.mode === 'existing'
        ? `kubernetes.mode is existing: the cluster reached through ${inventory.kubernetes.kubeconfig ?? 'its kubeconfig'} is used as it is`
        : undefined,
  },
  {
    id: 'databases',
    title: 'Databases: Cassandra, Elasticsearch, MinIO, PostgreSQL, RabbitMQ',
    skip: (inventory) =>
      inventory.mode === 'demo'
        ? 'demo mode: the databases run inside the cluster (installed as charts in workloads)'
        : undefined,
  },
  { id: 'workloads', title: "Workloads: Wire's Helm charts, in Wire's order" },
  { id: 'migrations', title: 'Migrations: the schema and data jobs of wire-server' },
  { id: 'verify', title: 'Verify: cluster, jobs, certificate and public endpoints' },
];

export function stageDefinition(id: StageId): StageDefinition {
  const stage = STAGES.find((candidate) => candidate.id === id);
  if (!stage) throw new Error(`unknown stage ${id}`);
  return stage;
}
