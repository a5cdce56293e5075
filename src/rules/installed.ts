import type { Finding } from '../core/finding.js';
import { hostsWithRole, type Inventory } from '../inventory/defaults.js';
import type { StateFile } from '../state/store.js';

/**
 * Rules that compare the inventory with what wire-install installed (.wire-install/state.json):
 * an inventory that apply cannot reach from the installation as it is. Edited by hand, the order
 * of the hosts decides two things that apply never moves: the first postgresql host is the
 * PostgreSQL primary and the first kube-control-plane host is where `kubeadm init` ran. Another
 * host first would make a standby of the primary (its data erased by the clone, which the standby
 * step refuses) or run a second `kubeadm init`, a second cluster. And control planes dropped from
 * the inventory stay etcd members: too many gone and etcd has lost quorum.
 */

/** Hosts where `step` succeeded, the most recent first. */
function succeededOn(state: StateFile, step: string): string[] {
  return recordedOn(state, step).filter((host) => state.steps[step]?.[host]?.status === 'succeeded');
}

/** Hosts with any record of `step` (succeeded or failed), the most recent first. */
function recordedOn(state: StateFile, step: string): string[] {
  return Object.entries(state.steps[step] ?? {})
    .sort(([, a], [, b]) => b.finishedAt.localeCompare(a.finishedAt))
    .map(([host]) => host);
}

function firstOf(inventory: Inventory, role: 'postgresql' | 'kube-control-plane'): string | undefined {
  return hostsWithRole(inventory, role)[0]?.name;
}

function postgresPrimary(inventory: Inventory, state: StateFile): Finding[] {
  // The latest attempt, failed or not: a primary step that failed on the host now first is that
  // host's, not a reason to point at an older one.
  const [recorded] = recordedOn(state, 'databases.postgresql-primary');
  if (recorded && state.steps['databases.postgresql-primary']?.[recorded]?.status !== 'succeeded') return [];
  const first = firstOf(inventory, 'postgresql');
  if (!recorded || !first || recorded === first) return [];
  const kept = hostsWithRole(inventory, 'postgresql').some((host) => host.name === recorded);
  return [
    {
      severity: 'error',
      rule: 'installed.postgresql-primary',
      host: first,
      path: ['hosts'],
      message: kept
        ? `the inventory makes ${first} the PostgreSQL primary (the first postgresql host), but ${recorded} is the primary wire-install set up`
        : `${recorded}, the PostgreSQL primary wire-install set up, is not a postgresql host of the inventory any more; ${first} would be made primary without a failover`,
      measured: `primary ${recorded} (state.json)`,
      required: `${recorded} first among the postgresql hosts`,
      fix: kept
        ? `list ${recorded} first among the postgresql hosts; to change the primary, take ${recorded} out with \`wire-install remove-host ${recorded}\` (it promotes a standby)`
        : `put ${recorded} back in the inventory, then take it out with \`wire-install remove-host ${recorded}\`: it promotes the most advanced standby`,
    },
  ];
}

function kubernetesInit(inventory: Inventory, state: StateFile): Finding[] {
  const [recorded] = succeededOn(state, 'kubernetes.init-control-plane');
  const first = firstOf(inventory, 'kube-control-plane');
  if (!recorded || !first || recorded === first) return [];
  return [
    {
      severity: 'error',
      rule: 'installed.kubernetes-first-control-plane',
      host: first,
      path: ['hosts'],
      message: `kubeadm init ran on ${recorded}, but the inventory lists ${first} as the first control plane: apply would run kubeadm init there, a second cluster`,
      measured: `cluster made on ${recorded} (state.json)`,
      required: `${recorded} first among the kube-control-plane hosts`,
      fix: `list ${recorded} first among the kube-control-plane hosts`,
    },
  ];
}

function etcdMembers(inventory: Inventory, state: StateFile): Finding[] {
  const members = [
    ...new Set([
      ...succeededOn(state, 'kubernetes.init-control-plane'),
      ...succeededOn(state, 'kubernetes.join-control-planes'),
    ]),
  ];
  const planes = new Set(hostsWithRole(inventory, 'kube-control-plane').map((host) => host.name));
  const dropped = members.filter((name) => !planes.has(name));
  if (dropped.length === 0) return [];
  const kept = members.length - dropped.length;
  const quorum = Math.floor(members.length / 2) + 1;
  const lost = kept < quorum;
  return [
    {
      // A warning, even below quorum: control planes taken out by hand (docs/remove-host.md) stay
      // in state.json, and nothing would let apply run again. remove-host refuses the quorum loss.
      severity: 'warning',
      rule: 'installed.etcd-members',
      path: ['hosts'],
      message: `${dropped.join(', ')} ${dropped.length === 1 ? 'is an etcd member' : 'are etcd members'} (a control plane in state.json) but not a control plane of the inventory: etcd still counts ${dropped.length === 1 ? 'it' : 'them'} until ${dropped.length === 1 ? 'it is' : 'they are'} taken out${lost ? `, and the ${kept} kept are fewer than the ${quorum} of ${members.length} etcd needs: the change would lose quorum` : ''}`,
      measured: `${kept} of ${members.length} members kept`,
      required: `at least ${quorum} (a majority)`,
      fix: lost
        ? 'put the control planes back in the inventory; take them out one at a time (docs/remove-host.md), waiting for etcd to be healthy after each'
        : 'take them out of etcd and the cluster one at a time (docs/remove-host.md), then apply',
    },
  ];
}

/**
 * MinIO's server pool is the set of drives MINIO_VOLUMES names on every server; MinIO fixes its
 * erasure sets when the pool is made and refuses to start with another list. A host added to or
 * dropped from the minio role would change that list on every server. MinIO's way to grow is a
 * new server pool (https://min.io/docs/minio/linux/operations/install-deploy-manage/expand-minio-deployment.html),
 * which wire-install does not build yet. A host replaced under the same name keeps the list.
 */
function minioPool(inventory: Inventory, state: StateFile): Finding[] {
  // Any record counts (a first install that failed on one host made the pool all the same);
  // a host rebuilt under its name lost its records but kept its place in state.json's hosts.
  const installed = recordedOn(state, 'databases.minio-install').sort();
  if (installed.length === 0) return [];
  const inventoried = hostsWithRole(inventory, 'minio')
    .map((host) => host.name)
    .sort();
  const known = new Set([...installed, ...Object.keys(state.hosts ?? {})]);
  const added = inventoried.filter((name) => !known.has(name));
  const dropped = installed.filter((name) => !inventoried.includes(name));
  if (added.length === 0 && dropped.length === 0) return [];
  const change = [
    ...(added.length > 0 ? [`adds ${added.join(', ')}`] : []),
    ...(dropped.length > 0 ? [`drops ${dropped.join(', ')}`] : []),
  ].join(' and ');
  return [
    {
      severity: 'error',
      rule: 'installed.minio-pool',
      path: ['hosts'],
      message: `the inventory changes the MinIO server pool of ${installed.join(', ')}: it ${change}; MinIO fixes its erasure sets when a pool is made and does not start with another list of servers`,
      measured: `pool of ${installed.length} servers (state.json); the inventory has ${inventoried.length}`,
      required: 'the same minio hosts as installed',
      fix: 'keep the minio role on the hosts it was installed on; a host can be replaced under the same name and address (apply installs it again and MinIO heals its drives). Growing by a new server pool is not built yet',
    },
  ];
}

export function checkAgainstInstalled(inventory: Inventory, state: StateFile): Finding[] {
  return [
    ...postgresPrimary(inventory, state),
    ...kubernetesInit(inventory, state),
    ...etcdMembers(inventory, state),
    ...minioPool(inventory, state),
  ];
}
