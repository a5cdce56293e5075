import type { DatabaseRole, Role } from '../inventory/roles.js';

/**
 * Wire's sizing, as data. Wire publishes three production tables that disagree (docs/wire/inventory-and-hardware.md#sizing-in-the-published-docs:
 * the main-branch planning docs; 3.2: the newer, unmerged draft; 3.3: the PostgreSQL HA doc).
 *
 * Decision: below the SMALLEST figure any of them gives for a role is an error (no Wire
 * document supports running that small), below the LARGEST is a warning (some Wire document
 * asks for more). Every threshold carries the table it comes from, so a finding can say why.
 * The tables say "GB"; we read them as GiB, which errs on the safe side.
 *
 * sftd and coturn have no row: they run on Kubernetes nodes, and SFT capacity is its own rule
 * (calling.ts). The admin host and legacy restund are not inventory roles.
 */

export interface Threshold {
  value: number;
  source: string;
}

export interface DimensionSizing {
  /** Below it: error. */
  minimum: Threshold;
  /** Below it: warning. */
  recommended: Threshold;
}

export type Dimension = 'cpus' | 'memoryGiB' | 'diskGiB';
export const DIMENSIONS: readonly Dimension[] = ['cpus', 'memoryGiB', 'diskGiB'];

export type Sizing = Record<Dimension, DimensionSizing>;

/** A row of Wire's tables: both Kubernetes roles share one (Wire's examples combine them). */
export type SizingRow = 'kube-node' | DatabaseRole | 'assethost';

const MAIN = "Wire's planning docs";
const DRAFT = "Wire's draft planning docs";
const BOTH = "Wire's planning docs and draft";
const PG_MIN_CPU = "Wire's ansible-VMs.md and draft";
const PG_MEMORY = "Wire's ansible-VMs.md, draft and PostgreSQL HA doc";
const PG_MIN_DISK = "Wire's ansible-VMs.md and PostgreSQL HA doc";
const PG_HA = "Wire's PostgreSQL HA doc";

function dim(minimum: number, minSource: string, recommended: number, recSource: string): DimensionSizing {
  return {
    minimum: { value: minimum, source: minSource },
    recommended: { value: recommended, source: recSource },
  };
}

export const PRODUCTION_SIZING: Record<SizingRow, Sizing> = {
  'kube-node': {
    cpus: dim(6, BOTH, 6, BOTH),
    memoryGiB: dim(8, BOTH, 8, BOTH),
    diskGiB: dim(40, MAIN, 80, DRAFT),
  },
  cassandra: {
    cpus: dim(1, DRAFT, 2, MAIN),
    memoryGiB: dim(2, DRAFT, 4, MAIN),
    diskGiB: dim(80, BOTH, 80, BOTH),
  },
  elasticsearch: {
    cpus: dim(1, BOTH, 1, BOTH),
    memoryGiB: dim(2, BOTH, 2, BOTH),
    diskGiB: dim(60, BOTH, 60, BOTH),
  },
  minio: {
    cpus: dim(1, BOTH, 1, BOTH),
    memoryGiB: dim(2, BOTH, 2, BOTH),
    diskGiB: dim(400, BOTH, 400, BOTH),
  },
  postgresql: {
    cpus: dim(1, PG_MIN_CPU, 2, PG_HA),
    memoryGiB: dim(2, PG_MEMORY, 2, PG_MEMORY),
    diskGiB: dim(50, PG_MIN_DISK, 80, DRAFT),
  },
  // RabbitMQ appears only in the draft table.
  rabbitmq: {
    cpus: dim(2, DRAFT, 2, DRAFT),
    memoryGiB: dim(4, DRAFT, 4, DRAFT),
    diskGiB: dim(80, DRAFT, 80, DRAFT),
  },
  assethost: {
    cpus: dim(1, BOTH, 1, BOTH),
    memoryGiB: dim(4, BOTH, 4, BOTH),
    diskGiB: dim(100, BOTH, 100, BOTH),
  },
};

/**
 * The one demo VM (databases in the cluster, like WIAB Dev). Error below the project's seed
 * requirements (8 cores, 8 GiB, 20 GiB: enough to start, tight), warning below what Wire's
 * current WIAB Dev docs ask for (16 cores, 16 GiB, 200 GiB; docs/wire/install-sequences.md#wiab-dev).
 */
const SEED = "wire-install's demo minimum (project seed requirements)";
const WIAB = "Wire's WIAB Dev docs";
export const DEMO_SIZING: Sizing = {
  cpus: dim(8, SEED, 16, WIAB),
  memoryGiB: dim(8, SEED, 16, WIAB),
  diskGiB: dim(20, SEED, 200, WIAB),
};

/** The sizing row a role falls under; undefined for roles that add no row (sftd, coturn). */
export function sizingRowOf(role: Role): SizingRow | undefined {
  if (role === 'kube-control-plane' || role === 'kube-worker') return 'kube-node';
  if (role === 'sftd' || role === 'coturn') return undefined;
  return role;
}

/** Production sizing for a role, or undefined when the role adds no row. */
export function sizingForRole(role: Role): Sizing | undefined {
  const row = sizingRowOf(role);
  return row ? PRODUCTION_SIZING[row] : undefined;
}

/** vCPUs a Kubernetes node needs before SFT gets any (calling capacity builds on it). */
export const KUBE_NODE_MIN_CPUS = PRODUCTION_SIZING['kube-node'].cpus.minimum.value;
