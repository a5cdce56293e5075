import type { Host, Inventory } from '../inventory/defaults.js';
import { hostsWithRole, trafficAddress } from '../inventory/defaults.js';
import type { Role } from '../inventory/roles.js';
import { checkInventoryStatic } from '../rules/static-rules.js';
import { REPLICATION_FACTOR } from '../wire/cassandra.js';

/**
 * `remove-host NAME`, decided before anything changes: per role of the host, what is done and in
 * which order, or why it is refused. Pure: the survey (src/remove-host/survey.ts) says which
 * hosts answer and what state PostgreSQL is in on each; tests give it directly.
 *
 * Refused (exit 2), each with its reason: what would lose data or quorum (the last PostgreSQL
 * primary or RabbitMQ node, Cassandra below its replication factor, etcd below quorum), MinIO
 * (a server cannot leave an erasure-coded pool), a running PostgreSQL primary (promoting a
 * standby beside it would split the data), and the roles whose removal is not built yet (the
 * first control plane, the asset host).
 */

/** What the survey learnt of one PostgreSQL host that answered. */
export interface PostgresState {
  /** pg_is_in_recovery(): a standby. */
  inRecovery: boolean;
  /** How far its WAL goes (a standby: received; a primary: written), as a number for comparison. */
  lsn: bigint;
  /** It holds the wire-server database (a fresh host's empty cluster does not). */
  hasWireDatabase: boolean;
}

export interface Survey {
  /** Hosts that answered over SSH. */
  reachable: ReadonlySet<string>;
  /** PostgreSQL hosts that answered, and what they said. */
  postgres: ReadonlyMap<string, PostgresState>;
  /**
   * The primary's PostgreSQL, asked from the standbys (pg_isready): true when any of them got
   * an answer, false when none did, undefined when no standby could ask.
   */
  primaryServes?: boolean | undefined;
}

export interface RemovalPlan {
  host: string;
  roles: readonly Role[];
  /** Why it cannot be done; any one stops the command (exit 2). */
  refusals: string[];
  /** What will be done, in order, one line each. */
  actions: string[];
  /** What the operator must know: the inventory after the removal breaking a rule of Wire's. */
  warnings: string[];
  /** The PostgreSQL standby that becomes the primary (the removed host was the primary). */
  promote?: string;
  /** The old primary's address: asked again (pg_isready) right before the promotion. */
  oldPrimaryAddress?: string;
  /** A remaining RabbitMQ node that forgets the removed one. */
  rabbitmqForgetOn?: string;
  /** The inventory without the host, the promoted standby first among the postgresql hosts. */
  inventory: Inventory;
  /** The removed host answered over SSH (it may be switched off). */
  removedAnswers: boolean;
  /**
   * The host is a Kubernetes node: drained while Ready, kubeadm reset when it answers, then deleted.
   * A control plane's etcd member is also removed through the etcd pod of `etcdMemberVia` (the first
   * control plane) when kubeadm reset did not (the host is gone).
   */
  kubernetes?: { drain: boolean; reset: boolean; etcdMemberVia?: string };
  /**
   * The host is a Cassandra node: decommissioned on it when it answers, else removed from the ring
   * by `removenodeOn` (nodetool removenode of the node at `address`).
   */
  cassandra?: { decommission: true; address: string } | { removenodeOn: string; address: string };
  /**
   * The host is the Cassandra seed: this node becomes the seed first (every node's cassandra.yaml
   * rewritten, a rolling restart), before the host leaves the ring.
   */
  cassandraReseed?: string;
  /**
   * The host is an Elasticsearch node; `on` is a node that stays. `drain`: it answers, so its
   * shards are moved off (allocation exclusion) before it stops.
   */
  elasticsearch?: { on: string; stayAddress: string; address: string; drain: boolean };
}

const names = (hosts: readonly Host[]) => hosts.map((host) => host.name);
const listed = (items: readonly string[]) => (items.length === 0 ? 'none' : items.join(', '));

/** The standby to promote: the one that received the most WAL; on a tie, the first listed. */
function mostAdvanced(candidates: readonly string[], survey: Survey): string | undefined {
  let best: string | undefined;
  for (const name of candidates) {
    const state = survey.postgres.get(name);
    if (!state) continue;
    const bestLsn = best ? survey.postgres.get(best)?.lsn : undefined;
    if (bestLsn === undefined || state.lsn > bestLsn) best = name;
  }
  return best;
}

function postgres(plan: RemovalPlan, inventory: Inventory, survey: Survey): void {
  const hosts = names(hostsWithRole(inventory, 'postgresql'));
  const [primary, ...standbys] = hosts;
  const others = hosts.filter((name) => name !== plan.host);
  if (others.length === 0) {
    plan.refusals.push(
      `PostgreSQL: ${plan.host} is the last PostgreSQL host, the primary: removing it loses wire-server's PostgreSQL data (brig, galley). Add a standby first (a host with the postgresql role, then apply), then remove ${plan.host}.`,
    );
    return;
  }
  if (plan.host !== primary) {
    plan.actions.push(
      `PostgreSQL: ${plan.host} is a standby: the primary ${primary} stops accepting its replication (pg_hba.conf rewritten, databases.postgresql-primary); wire-install's standbys stream without replication slots, so there is no slot to drop`,
    );
    return;
  }
  const own = survey.postgres.get(plan.host);
  if ((own && !own.inRecovery) || survey.primaryServes !== false) {
    plan.refusals.push(
      survey.primaryServes === undefined && !(own && !own.inRecovery)
        ? `PostgreSQL: no standby could ask whether ${plan.host}, the primary, still serves (pg_isready): without that proof a promotion could leave two primaries taking writes. Bring a standby back, then run remove-host again.`
        : `PostgreSQL: ${plan.host} is the primary and its PostgreSQL still answers${own ? '' : ' (pg_isready from the standbys)'}: promoting a standby beside it would leave two primaries taking writes. A planned switch-over is not built; stop PostgreSQL on ${plan.host} (or switch the host off), then run remove-host again.`,
    );
    return;
  }
  // Every standby must take part: the steps that make them follow the new primary run on each.
  const silent = standbys.filter((name) => !survey.reachable.has(name));
  if (silent.length > 0) {
    plan.refusals.push(
      `PostgreSQL: ${listed(silent)} did not answer: every standby is repointed to the new primary in the same run. Bring ${silent.length === 1 ? 'it' : 'them'} back, or take ${silent.length === 1 ? 'it' : 'them'} out first (remove-host), then run remove-host ${plan.host} again.`,
    );
    return;
  }
  // A standby promoted by an interrupted earlier run is the primary already: keep it. Only a host
  // with Wire's database counts (a fresh host's empty cluster is not in recovery either).
  const primaries = standbys.filter((name) => {
    const state = survey.postgres.get(name);
    return state?.inRecovery === false && state.hasWireDatabase;
  });
  if (primaries.length > 1) {
    plan.refusals.push(
      `PostgreSQL: ${listed(primaries)} all run as primaries with Wire's database: remove-host cannot tell which one holds the data. Check them by hand (SELECT pg_current_wal_lsn() on each) and stop all but one.`,
    );
    return;
  }
  const [promoted] = primaries;
  const candidates = standbys.filter((name) => survey.postgres.get(name)?.inRecovery === true);
  const chosen = promoted ?? mostAdvanced(candidates, survey);
  if (!chosen) {
    plan.refusals.push(
      `PostgreSQL: ${plan.host} (the primary) is gone and no standby answers (${listed(standbys)}): there is nothing to promote. Bring a standby back, then run remove-host again.`,
    );
    return;
  }
  plan.promote = chosen;
  const old = inventory.hosts.find((candidate) => candidate.name === plan.host);
  if (old) plan.oldPrimaryAddress = trafficAddress(old);
  const lsns = standbys
    .filter((name) => survey.postgres.has(name))
    .map((name) => `${name} ${formatLsn(survey.postgres.get(name)?.lsn ?? 0n)}`);
  plan.actions.push(
    promoted
      ? `PostgreSQL: ${chosen} was promoted to primary by an earlier run; keep it`
      : `PostgreSQL: promote ${chosen} to primary: of the standbys that answer it received the most WAL (${lsns.join(', ')})`,
    `PostgreSQL: the other standbys (${listed(standbys.filter((name) => name !== chosen))}) follow ${chosen} (primary_conninfo and .pgpass rewritten, databases.postgresql-standbys), and the health check waits until they stream`,
    `PostgreSQL: wire-server (brig, galley) follows: where Wire's charts are installed, the postgresql-external release is applied again (workloads.values, workloads.postgresql-external), so its read-write Service points at ${chosen}`,
  );
}

/** An LSN as PostgreSQL prints it (XXXXXXXX/XXXXXXXX). */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** An LSN as PostgreSQL prints it, as a number; undefined for anything else. */
export function parseLsn(text: string): bigint | undefined {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

function rabbitmq(plan: RemovalPlan, inventory: Inventory, survey: Survey): void {
  const others = names(hostsWithRole(inventory, 'rabbitmq')).filter((name) => name !== plan.host);
  if (others.length === 0) {
    plan.refusals.push(
      `RabbitMQ: ${plan.host} is the last RabbitMQ node: removing it loses the queues and definitions (gundeck, cannon, background-worker). Add a node first.`,
    );
    return;
  }
  const on = others.find((name) => survey.reachable.has(name));
  if (!on) {
    plan.refusals.push(
      `RabbitMQ: no other RabbitMQ node answers (${listed(others)}): none can forget ${plan.host}. Bring one back, then run remove-host again.`,
    );
    return;
  }
  plan.rabbitmqForgetOn = on;
  plan.actions.push(
    `RabbitMQ: ${plan.removedAnswers ? `stop the app on rabbit@${plan.host}` : `${plan.host} does not answer: nothing to stop there`}, then forget it on ${on} (rabbitmqctl forget_cluster_node rabbit@${plan.host}); the health check waits until the ${others.length} nodes left are the cluster`,
  );
}

function kubernetes(plan: RemovalPlan, inventory: Inventory, survey: Survey): void {
  const planes = names(hostsWithRole(inventory, 'kube-control-plane'));
  const controlPlane = plan.roles.includes('kube-control-plane');
  if (controlPlane) {
    const left = planes.filter((name) => name !== plan.host);
    const answering = left.filter((name) => survey.reachable.has(name));
    const quorum = Math.floor(left.length / 2) + 1;
    if (left.length === 0 || answering.length < quorum) {
      plan.refusals.push(
        left.length === 0
          ? `Kubernetes: ${plan.host} is the only control plane: removing it removes the cluster (etcd and the API).`
          : `Kubernetes: etcd would lose quorum: with ${plan.host} gone ${left.length} control planes remain and ${answering.length} of them answer (${listed(answering)}); etcd needs ${quorum} of ${left.length}. Bring the others back first, or replace one control plane at a time.`,
      );
      return;
    }
    if (planes[0] === plan.host) {
      plan.refusals.push(
        `Kubernetes: ${plan.host} is the first control plane: kubeadm init ran there, and wire-install makes the join credentials and fetches the admin kubeconfig there. Taking it out (moving that duty to another control plane) is not built yet; docs/remove-host.md gives the commands to do it by hand.`,
      );
      return;
    }
  }
  // Drained through the API whether or not SSH answers (a host can be unreachable over SSH and
  // still run pods), but only while the node is Ready: the step asks the cluster.
  plan.kubernetes = {
    drain: true,
    reset: plan.removedAnswers,
    ...(controlPlane ? { etcdMemberVia: planes[0] as string } : {}),
  };
  plan.actions.push(
    `Kubernetes: drain ${plan.host} while the cluster reports it Ready (kubectl drain --ignore-daemonsets --delete-emptydir-data: its pods move to the other nodes); a node that is NotReady is not drained: its pods start again elsewhere once the node is deleted`,
    ...(plan.removedAnswers
      ? [
          `Kubernetes: kubeadm reset on ${plan.host}${controlPlane ? ' (which also takes its member out of etcd)' : ''}: its kubelet configuration and certificates are removed`,
        ]
      : []),
    ...(controlPlane
      ? [
          `Kubernetes: ${plan.removedAnswers ? 'if kubeadm reset left it, ' : `${plan.host} does not answer: `}its etcd member is removed through the etcd pod of ${planes[0]} (kubectl exec etcd-${planes[0]} -- etcdctl member remove ID), so etcd counts ${planes.length - 1} members again`,
        ]
      : []),
    `Kubernetes: delete the node ${plan.host} (kubectl delete node)`,
  );
}

function cassandra(plan: RemovalPlan, inventory: Inventory, survey: Survey): void {
  const nodes = hostsWithRole(inventory, 'cassandra');
  const left = nodes.length - 1;
  if (left < REPLICATION_FACTOR) {
    plan.refusals.push(
      `Cassandra: Wire's keyspaces keep ${REPLICATION_FACTOR} copies of every row (replication factor ${REPLICATION_FACTOR}); with ${plan.host} gone ${left} node${left === 1 ? '' : 's'} would remain, below the replication factor: writes at QUORUM fail and a copy is lost for good. Put a new host in its place with wire-install replace-host ${plan.host} --with NEW (NEW joins before it leaves), rebuild it under the same name and address (apply installs it again), or add a node first.`,
    );
    return;
  }
  const others = names(nodes).filter((name) => name !== plan.host);
  const silent = others.filter((name) => !survey.reachable.has(name));
  if (silent.length > 0) {
    plan.refusals.push(
      `Cassandra: ${listed(silent)} did not answer: the nodes left copy ${plan.host}'s data among themselves, and the health check afterwards needs every one of them UN. Bring ${silent.length === 1 ? 'it' : 'them'} back, then run remove-host again.`,
    );
    return;
  }
  const removed = nodes.find((node) => node.name === plan.host);
  const address = removed ? trafficAddress(removed) : '';
  if (nodes[0]?.name === plan.host) {
    plan.cassandraReseed = others[0] as string;
    plan.actions.push(
      plan.removedAnswers
        ? `Cassandra: ${plan.host} is the seed (Wire's cassandra_seed, the first cassandra host), so ${others[0]} becomes the seed first: every node's cassandra.yaml names it (databases.cassandra-install), ${plan.host}'s too, and the nodes restart one at a time, each UN before the next (databases.cassandra-start)`
        : `Cassandra: ${plan.host} is the seed (Wire's cassandra_seed, the first cassandra host) and is gone: once it is out of the ring (below), ${others[0]} becomes the seed: every node's cassandra.yaml names it (databases.cassandra-install) and the nodes restart one at a time, each UN before the next (databases.cassandra-start)`,
    );
  }
  if (plan.removedAnswers) {
    plan.cassandra = { decommission: true, address };
    plan.actions.push(
      `Cassandra: nodetool decommission on ${plan.host} (it streams its data to the ${left} nodes left and leaves the ring: as long as copying its data takes), then stop and disable cassandra.service there; the health check waits until the nodes left are UN`,
    );
    return;
  }
  const on = others[0] as string;
  plan.cassandra = { removenodeOn: on, address };
  plan.actions.push(
    `Cassandra: ${plan.host} does not answer: on ${on}, nodetool removenode with its host ID from nodetool status (the nodes left copy its ranges from the other replicas); the health check waits until the nodes left are UN`,
  );
}

function elasticsearch(plan: RemovalPlan, inventory: Inventory, survey: Survey): void {
  const nodes = hostsWithRole(inventory, 'elasticsearch');
  const others = names(nodes).filter((name) => name !== plan.host);
  if (others.length === 0) {
    plan.refusals.push(
      `Elasticsearch: ${plan.host} is the last Elasticsearch node: removing it loses the user search index (brig's directory index). Add a node first.`,
    );
    return;
  }
  if (others.length === 1) {
    plan.refusals.push(
      `Elasticsearch: with ${plan.host} gone only ${others[0]} would remain, and a single node configured for ${nodes.length} (minimum_master_nodes ${Math.floor(nodes.length / 2) + 1}) elects no master until its configuration is rewritten, which needs the cluster: add a node first.`,
    );
    return;
  }
  const silent = others.filter((name) => !survey.reachable.has(name));
  if (silent.length > 0) {
    plan.refusals.push(
      `Elasticsearch: ${listed(silent)} did not answer: the nodes left take ${plan.host}'s shards, and their configuration (the discovery hosts, minimum_master_nodes) is rewritten. Bring ${silent.length === 1 ? 'it' : 'them'} back, then run remove-host again.`,
    );
    return;
  }
  const removed = nodes.find((node) => node.name === plan.host);
  const stays = nodes.find((node) => node.name !== plan.host) as Host;
  const on = stays.name;
  plan.elasticsearch = {
    on,
    stayAddress: trafficAddress(stays),
    address: removed ? trafficAddress(removed) : '',
    drain: plan.removedAnswers,
  };
  plan.actions.push(
    plan.removedAnswers
      ? `Elasticsearch: on ${on}, exclude ${plan.host} from shard allocation (cluster.routing.allocation.exclude._ip) and wait until no shard is left on it; then stop and disable elasticsearch.service on ${plan.host}, and lift the exclusion`
      : `Elasticsearch: ${plan.host} does not answer: the cluster has promoted the replicas of its shards on the others already; nothing to move`,
    `Elasticsearch: the ${others.length} nodes left get the configuration without ${plan.host} (discovery hosts, minimum_master_nodes ${Math.floor(others.length / 2) + 1}; databases.elasticsearch-install restarts them) and the health check waits for green with ${others.length} nodes`,
  );
}

const MINIO_REFUSAL = (host: string) =>
  `MinIO: ${host} is one server of the erasure-coded server pool the minio hosts form, and MinIO cannot take a server out of a pool: its erasure sets are fixed when the pool is made (https://min.io/docs/minio/linux/operations/install-deploy-manage/expand-minio-deployment.html). Replace the host under the same name and address (a rebuilt host is installed again by apply and MinIO heals its drives), or grow by a new server pool.`;

export function planRemoval(inventory: Inventory, host: string, survey: Survey): RemovalPlan {
  const target = inventory.hosts.find((candidate) => candidate.name === host);
  if (!target) throw new Error(`remove-host: ${host} is not in the inventory`);
  const plan: RemovalPlan = {
    host,
    roles: target.roles,
    refusals: [],
    actions: [],
    warnings: [],
    inventory,
    removedAnswers: survey.reachable.has(host),
  };
  const has = (role: Role) => target.roles.includes(role);
  if (has('kube-control-plane') || has('kube-worker')) kubernetes(plan, inventory, survey);
  if (has('cassandra')) cassandra(plan, inventory, survey);
  if (has('elasticsearch')) elasticsearch(plan, inventory, survey);
  if (has('minio')) plan.refusals.push(MINIO_REFUSAL(host));
  if (has('assethost'))
    plan.refusals.push(
      `Asset host: every other host installs packages and images from ${host}; replace it under the same name (apply installs it again) instead of removing it.`,
    );
  if (has('postgresql')) postgres(plan, inventory, survey);
  if (has('rabbitmq')) rabbitmq(plan, inventory, survey);
  plan.inventory = withoutHost(inventory, host, plan.promote);
  plan.actions.push(
    `wire-install's records: ${host} leaves inventory.yaml, .wire-install/state.json (its checkpoints and identity) and .wire-install/known_hosts`,
  );
  for (const finding of checkInventoryStatic(plan.inventory).filter((f) => f.severity === 'error'))
    plan.warnings.push(
      `after the removal the inventory breaks ${finding.rule}: ${finding.message}; ${finding.fix ?? ''}`.trim(),
    );
  return plan;
}

/** The inventory without `host`, `promote` (when given) moved before the other postgresql hosts. */
export function withoutHost(inventory: Inventory, host: string, promote?: string): Inventory {
  const hosts = inventory.hosts.filter((candidate) => candidate.name !== host);
  if (!promote) return { ...inventory, hosts };
  const firstPostgres = hosts.findIndex((candidate) => candidate.roles.includes('postgresql'));
  const promoted = hosts.find((candidate) => candidate.name === promote);
  const first = hosts[firstPostgres];
  if (!promoted || !first || promoted === first) return { ...inventory, hosts };
  const rest = hosts.filter((candidate) => candidate !== promoted);
  rest.splice(rest.indexOf(first), 0, promoted);
  return { ...inventory, hosts: rest };
}
