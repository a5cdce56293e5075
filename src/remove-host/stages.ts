import { KUBEADM, CONFIG_DIR as KUBEADM_CONFIG_DIR } from '../cluster/kubeadm.js';
import { kubectl } from '../cluster/kubectl.js';
import { WireInstallError } from '../core/errors.js';
import type { EngineStage, EngineStep } from '../engine/types.js';
import { shellQuote } from '../hosts/become.js';
import { ADMIN_HOST } from '../hosts/local-host.js';
import type { Inventory } from '../inventory/defaults.js';
import { lastLines, runOrFail } from '../operations/run.js';
import { systemdUnitOperation } from '../operations/systemd.js';
import type { Operation, OperationContext } from '../operations/types.js';
import { UNIT as CASSANDRA_UNIT, NODETOOL, parseNodetoolStatus } from '../wire/cassandra.js';
import {
  ES_HTTP_PORT,
  EXCLUDE_IP,
  elasticsearchGet,
  elasticsearchPut,
  type HttpAnswer,
} from '../wire/elasticsearch.js';
import { nodeName } from '../wire/rabbitmq.js';
import type { RemovalPlan } from './plan.js';
import { pgIsReady } from './survey.js';

/**
 * The changes only a removal makes, as engine steps (the run's lock, log, --json events and
 * checkpoints are apply's): the promotion of a PostgreSQL standby and RabbitMQ forgetting the
 * node. They run on the hosts that stay; the removed host is never contacted by the run (it may
 * be switched off). Each checks first, so a run interrupted and started again changes nothing twice.
 */
const IN_RECOVERY = `runuser -u postgres -- psql -X -At -c "SELECT pg_is_in_recovery()"`;

function promoteOperation(oldPrimary: string | undefined): Operation {
  const inRecovery = async (context: Parameters<Operation['check']>[0]) =>
    (
      await runOrFail(context.host, 'asking PostgreSQL whether it is a standby', IN_RECOVERY)
    ).stdout.trim() === 't';
  return {
    kind: 'postgresql-promote',
    target: 'primary',
    inputs: { promote: true },
    async check(context) {
      return { changes: (await inRecovery(context)) ? ['promote this standby to primary'] : [], notes: [] };
    },
    async apply(context) {
      if (!(await inRecovery(context))) return { changes: [], notes: [] };
      // Asked again right before the promotion (the plan may be minutes old): the old primary
      // must still give no response, or there would be two primaries taking writes.
      if (oldPrimary) {
        const ready = await context.host.exec(pgIsReady(oldPrimary), { timeoutMs: 20_000 });
        if (ready.exitCode !== 2)
          throw new WireInstallError({
            what: `${context.host.name}: not promoted: the old primary ${oldPrimary} answers again (pg_isready exit ${ready.exitCode})`,
            evidence: lastLines(`${ready.stdout}\n${ready.stderr}`),
            next: `stop PostgreSQL on ${oldPrimary} (or switch it off), then run remove-host again`,
          });
      }
      // pg_promote(wait => true, 60 s): returns once the standby accepts writes.
      await runOrFail(
        context.host,
        'promoting the standby',
        `runuser -u postgres -- psql -X -At -c "SELECT pg_promote(true, 60)" | grep -qx t`,
        { next: 'read the PostgreSQL log on this host (journalctl -u postgresql@*)' },
      );
      if (await inRecovery(context))
        throw new Error(`${context.host.name}: PostgreSQL is still a standby after pg_promote`);
      return { changes: ['promote this standby to primary'], notes: [] };
    },
  };
}

function forgetOperation(removed: string, answers: boolean): Operation {
  const node = nodeName(removed);
  const member = async (context: Parameters<Operation['check']>[0]) => {
    const status = await runOrFail(
      context.host,
      'reading the RabbitMQ cluster status',
      'rabbitmqctl cluster_status --formatter json',
    );
    const parsed = JSON.parse(status.stdout) as { disk_nodes?: string[]; ram_nodes?: string[] };
    return [...(parsed.disk_nodes ?? []), ...(parsed.ram_nodes ?? [])].includes(node);
  };
  const change = `forget ${node}`;
  return {
    kind: 'rabbitmq-forget',
    target: node,
    inputs: { forget: node },
    async check(context) {
      return { changes: (await member(context)) ? [change] : [], notes: [] };
    },
    async apply(context) {
      if (!(await member(context))) return { changes: [], notes: [] };
      // A node that still runs must stop its app before it can be forgotten. One whose host did
      // not answer is not asked (rabbitmqctl would wait about 40 s for it).
      if (answers) await context.host.exec(`timeout 60 rabbitmqctl -n ${node} stop_app`);
      await runOrFail(context.host, `forgetting ${node}`, `rabbitmqctl forget_cluster_node ${node}`);
      return { changes: [change], notes: [] };
    },
  };
}

/**
 * The node as the cluster has it: absent (kubectl's NotFound), or present and Ready or not; any
 * other failure is an error (the API must answer before anything is changed).
 */
async function nodeState(
  context: OperationContext,
  kubeconfigPath: string,
  node: string,
): Promise<'absent' | 'ready' | 'not-ready'> {
  const result = await context.host.exec(
    kubectl(kubeconfigPath, `get node ${shellQuote(node)} -o json --request-timeout=30s`),
  );
  if (result.exitCode !== 0 && /NotFound/.test(result.stderr)) return 'absent';
  if (result.exitCode !== 0)
    throw new WireInstallError({
      what: `asking the cluster for the node ${node} failed (exit code ${result.exitCode})`,
      evidence: lastLines(`${result.stdout}\n${result.stderr}`),
      next: 'check that the admin kubeconfig reaches the cluster (wire-install doctor --only cluster)',
    });
  const conditions =
    (JSON.parse(result.stdout) as { status?: { conditions?: { type: string; status: string }[] } }).status
      ?.conditions ?? [];
  return conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True')
    ? 'ready'
    : 'not-ready';
}

/**
 * kubectl on the admin host, for the node while the cluster has it (`when: 'present'`), or only
 * while it is Ready (`'ready'`: a drain, whose pods on a node that is NotReady would never
 * confirm they stopped; they start again elsewhere once the node is deleted).
 */
function nodeOperation(
  kind: string,
  change: string,
  command: string,
  kubeconfigPath: string,
  node: string,
  when: 'present' | 'ready',
): Operation {
  const due = async (context: OperationContext) => {
    const state = await nodeState(context, kubeconfigPath, node);
    return when === 'ready' ? state === 'ready' : state !== 'absent';
  };
  return {
    kind,
    target: node,
    inputs: { node },
    async check(context) {
      return { changes: (await due(context)) ? [change] : [], notes: [] };
    },
    async apply(context) {
      if (!(await due(context))) return { changes: [], notes: [] };
      await runOrFail(context.host, change, kubectl(kubeconfigPath, command), {
        timeoutMs: DRAIN_TIMEOUT_S * 1000 + 60_000,
      });
      return { changes: [change], notes: [] };
    },
  };
}

/** How long a drain may wait for the node's pods to leave (PodDisruptionBudgets can hold them). */
const DRAIN_TIMEOUT_S = 600;

/**
 * kubeadm reset on the node itself: its kubelet configuration and certificates (and etcd member)
 * go; then wire-install's own kubeadm folder: the join configuration holds the bootstrap token,
 * and the done-marks would make a later join of the same host (added back) pass for done.
 */
function resetOperation(): Operation {
  const joined = 'test -e /etc/kubernetes/kubelet.conf || test -e /etc/kubernetes/admin.conf';
  const todo = async (context: OperationContext) => {
    const changes: string[] = [];
    if ((await context.host.exec(joined)).exitCode === 0) changes.push('kubeadm reset');
    if ((await context.host.exec(`test -d ${KUBEADM_CONFIG_DIR}`)).exitCode === 0)
      changes.push(`remove ${KUBEADM_CONFIG_DIR} (the join configuration and done-marks)`);
    return changes;
  };
  return {
    kind: 'kubeadm-reset',
    target: 'node',
    inputs: { reset: true, configDir: KUBEADM_CONFIG_DIR },
    async check(context) {
      return { changes: await todo(context), notes: [] };
    },
    async apply(context) {
      const changes = await todo(context);
      if (changes.includes('kubeadm reset'))
        await runOrFail(context.host, 'kubeadm reset', `${KUBEADM} reset -f`, {
          next: 'read the output above; `kubeadm reset -f` can be run on the host by hand, then run remove-host again',
        });
      if (changes.length > 0)
        await runOrFail(context.host, `removing ${KUBEADM_CONFIG_DIR}`, `rm -rf ${KUBEADM_CONFIG_DIR}`);
      return { changes, notes: [] };
    },
  };
}

/** etcdctl in a control plane's etcd static pod, with kubeadm's etcd certificates (as kubeadm's own docs run it). */
const ETCDCTL = [
  'etcdctl',
  '--endpoints=https://127.0.0.1:2379',
  '--cacert=/etc/kubernetes/pki/etcd/ca.crt',
  '--cert=/etc/kubernetes/pki/etcd/server.crt',
  '--key=/etc/kubernetes/pki/etcd/server.key',
].join(' ');

/**
 * The members of `etcdctl member list -w json`, IDs as hex (what `member remove` takes). The IDs
 * are uint64, above 2^53 for most members: read as text, never as JavaScript numbers.
 */
export function etcdMembers(json: string): { id: string; name: string }[] {
  const quoted = json.replace(/"ID"\s*:\s*(\d+)/g, '"ID":"$1"');
  const members = (JSON.parse(quoted) as { members?: { ID?: string; name?: string }[] }).members ?? [];
  return members
    .filter((member) => member.ID !== undefined)
    .map((member) => ({ id: BigInt(member.ID as string).toString(16), name: member.name ?? '' }));
}

/**
 * On the admin host, through the etcd pod of a control plane that stays: the removed control
 * plane's etcd member, when it is still listed (kubeadm reset on the host removes it; a host
 * that is gone cannot). An etcd member left behind counts against quorum for good.
 */
function etcdMemberOperation(node: string, via: string, kubeconfigPath: string): Operation {
  const exec = (command: string) =>
    kubectl(kubeconfigPath, `-n kube-system exec ${shellQuote(`etcd-${via}`)} -- ${ETCDCTL} ${command}`);
  const member = async (context: OperationContext) => {
    const listed = await runOrFail(
      context.host,
      `listing the etcd members (through etcd-${via})`,
      exec('member list -w json'),
      { next: `the etcd pod of ${via} must run: kubectl -n kube-system get pod etcd-${via}` },
    );
    return etcdMembers(listed.stdout).find((candidate) => candidate.name === node);
  };
  const change = (id: string) => `etcdctl member remove ${id} (${node})`;
  return {
    kind: 'etcd-member-remove',
    target: node,
    inputs: { member: node, via },
    async check(context) {
      const found = await member(context);
      return { changes: found ? [change(found.id)] : [], notes: [] };
    },
    async apply(context) {
      const found = await member(context);
      if (!found) return { changes: [], notes: [] };
      await runOrFail(context.host, change(found.id), exec(`member remove ${found.id}`));
      return { changes: [change(found.id)], notes: [] };
    },
  };
}

/** How long a decommission or removenode may stream before the run gives up on it (a large node: hours). */
const STREAM_TIMEOUT_MS = 12 * 3600_000;

/**
 * Refuses to take a node out while another one is not UN: its ranges would be streamed from
 * fewer copies, and removenode waits for every replica (it would hang on a node that is down).
 */
async function othersUp(context: OperationContext, leaving: string): Promise<void> {
  const status = await runOrFail(context.host, 'reading the ring (nodetool status)', `${NODETOOL} status`);
  const down = parseNodetoolStatus(status.stdout).filter(
    (member) => member.address !== leaving && !(member.status === 'U' && member.state === 'N'),
  );
  if (down.length > 0)
    throw new WireInstallError({
      what: `${context.host.name}: not taking ${leaving} out of the Cassandra ring while ${down.map((m) => `${m.address} is ${m.status}${m.state}`).join(', ')}`,
      evidence: down.map((member) => member.line),
      next: 'bring every other node back to UN (wire-install apply --only databases.cassandra-start), then run remove-host again',
    });
}

/**
 * nodetool decommission on the node itself, then its service stopped and disabled (a node that
 * started again would try to join the ring it left). What is left to do is read from the node:
 * its service, and `nodetool netstats`'s Mode (NORMAL: decommission; DECOMMISSIONED: only stop;
 * LEAVING: one is under way). A stopped service that is disabled is a node this command took
 * out before; one that is enabled cannot be decommissioned (removenode is for a node that is gone).
 */
function decommissionOperation(address: string): Operation {
  const stop = `stop and disable ${CASSANDRA_UNIT}`;
  const todo = async (context: OperationContext): Promise<string[]> => {
    if ((await context.host.exec(`systemctl is-active --quiet ${CASSANDRA_UNIT}`)).exitCode !== 0) {
      if ((await context.host.exec(`systemctl is-enabled --quiet ${CASSANDRA_UNIT}`)).exitCode !== 0)
        return [];
      throw new WireInstallError({
        what: `${context.host.name}: ${CASSANDRA_UNIT} is not running, so this node cannot be decommissioned`,
        next: `start it (systemctl start ${CASSANDRA_UNIT}) and run remove-host again; or switch the host off and run remove-host again, which then removes it from the ring from another node (nodetool removenode)`,
      });
    }
    const netstats = await runOrFail(
      context.host,
      "reading the node's mode (nodetool netstats)",
      `${NODETOOL} netstats`,
    );
    const mode = /^Mode:\s*(\S+)/m.exec(netstats.stdout)?.[1];
    if (mode === 'DECOMMISSIONED') return [stop];
    if (mode === 'NORMAL') return ['nodetool decommission', stop];
    throw new WireInstallError({
      what: `${context.host.name}: the node's mode is ${mode ?? 'not shown'}, not NORMAL: ${mode === 'LEAVING' ? 'a decommission is under way' : 'it cannot be decommissioned now'}`,
      evidence: lastLines(netstats.stdout),
      next: 'wait until nodetool netstats shows Mode: DECOMMISSIONED (or NORMAL), then run remove-host again',
    });
  };
  return {
    kind: 'cassandra-decommission',
    target: 'node',
    inputs: { decommission: address },
    async check(context) {
      return { changes: await todo(context), notes: [] };
    },
    async apply(context) {
      const changes = await todo(context);
      if (changes.includes('nodetool decommission')) {
        await othersUp(context, address);
        // Streams this node's ranges to the others first: as long as copying its data takes.
        await runOrFail(context.host, 'nodetool decommission', `${NODETOOL} decommission`, {
          timeoutMs: STREAM_TIMEOUT_MS,
          next: `read the node's log (journalctl -u ${CASSANDRA_UNIT}); nodetool netstats shows the streaming`,
        });
      }
      if (changes.includes(stop))
        await runOrFail(
          context.host,
          `stopping ${CASSANDRA_UNIT}`,
          `systemctl disable --now ${CASSANDRA_UNIT}`,
        );
      return { changes, notes: [] };
    },
  };
}

/** The host ID nodetool status prints for `address`, or undefined when the ring does not hold it. */
export function ringHostId(statusOutput: string, address: string): string | undefined {
  const member = parseNodetoolStatus(statusOutput).find((candidate) => candidate.address === address);
  return member
    ? /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/.exec(member.line)?.[0]
    : undefined;
}

/** nodetool removenode, on a node that stays, of the node at `address` that is gone. */
function removenodeOperation(address: string): Operation {
  const hostId = async (context: OperationContext) =>
    ringHostId(
      (await runOrFail(context.host, 'reading the ring (nodetool status)', `${NODETOOL} status`)).stdout,
      address,
    );
  const change = (id: string) => `nodetool removenode ${id} (${address})`;
  return {
    kind: 'cassandra-removenode',
    target: address,
    inputs: { removenode: address },
    async check(context) {
      const id = await hostId(context);
      return { changes: id ? [change(id)] : [], notes: [] };
    },
    async apply(context) {
      const id = await hostId(context);
      if (!id) return { changes: [], notes: [] };
      await othersUp(context, address);
      await runOrFail(context.host, `nodetool removenode ${id}`, `${NODETOOL} removenode ${id}`, {
        timeoutMs: STREAM_TIMEOUT_MS,
        next: `nodetool removenode status shows how far it is; a node that answers again must be decommissioned instead`,
      });
      return { changes: [change(id)], notes: [] };
    },
  };
}

/** The answer's body as JSON, or a clear error naming what was asked. */
function answerJson<T>(context: OperationContext, what: string, answer: HttpAnswer): T {
  if ('error' in answer || answer.code !== 200)
    throw new WireInstallError({
      what: `${context.host.name}: ${what} failed: ${'error' in answer ? answer.error : `HTTP ${answer.code}`}`,
      evidence: 'body' in answer ? lastLines(answer.body) : [],
      next: 'check the cluster: wire-install doctor --only databases',
    });
  return JSON.parse(answer.body) as T;
}

/** The addresses in the allocation exclusion now (a comma-separated list; others' entries are kept). */
async function excludedAddresses(context: OperationContext, base: string): Promise<string[]> {
  const settings = answerJson<{ persistent?: Record<string, unknown>; transient?: Record<string, unknown> }>(
    context,
    'reading the cluster settings',
    await elasticsearchGet(context, `${base}/_cluster/settings?flat_settings=true`, 30),
  );
  const value = settings.persistent?.[EXCLUDE_IP];
  return typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : [];
}

async function setExcluded(context: OperationContext, base: string, addresses: string[]): Promise<void> {
  answerJson(
    context,
    `setting ${EXCLUDE_IP}`,
    await elasticsearchPut(
      context,
      `${base}/_cluster/settings`,
      { persistent: { [EXCLUDE_IP]: addresses.length > 0 ? addresses.join(',') : null } },
      30,
    ),
  );
}

/** The shards _cat/shards lists on the node named `node` (ES's node.name is the host's name). */
async function shardsOn(
  context: OperationContext,
  base: string,
  node: string,
): Promise<{ left: string[]; moving: boolean }> {
  const rows = answerJson<
    { index?: string; shard?: string; prirep?: string; state?: string; node?: string }[]
  >(
    context,
    'listing the shards',
    await elasticsearchGet(context, `${base}/_cat/shards?format=json&h=index,shard,prirep,state,node`, 30),
  );
  return {
    left: rows
      .filter((row) => (row.node ?? '').split(' ')[0] === node)
      .map((row) => `${row.index}/${row.shard} ${row.prirep} ${row.state} on ${row.node}`),
    moving: rows.some((row) => row.state === 'RELOCATING' || row.state === 'INITIALIZING'),
  };
}

/** How often the relocation is asked about, and how long it may take (a large index: hours). */
const RELOCATION_POLL_MS = 2_000;
/**
 * How long no shard may move while some are left on the node before the wait gives up: a copy
 * with nowhere to go (a replica count the nodes left cannot hold, a disk watermark) stays for
 * good, and allocation explain says why.
 */
const NO_PROGRESS_MS = 10 * 60_000;

/**
 * On a node that stays: the removed node's address joins the allocation exclusion, and the step
 * waits until _cat/shards lists no shard on it (Elasticsearch copies them to the others first).
 */
function excludeOperation(node: string, address: string, base: string): Operation {
  const todo = async (context: OperationContext) => {
    const changes: string[] = [];
    if (!(await excludedAddresses(context, base)).includes(address))
      changes.push(`exclude ${address} from shard allocation (${EXCLUDE_IP})`);
    if (changes.length > 0 || (await shardsOn(context, base, node)).left.length > 0)
      changes.push(`wait until no shard is left on ${node}`);
    return changes;
  };
  return {
    kind: 'elasticsearch-exclude',
    target: node,
    inputs: { exclude: address },
    async check(context) {
      return { changes: await todo(context), notes: [] };
    },
    async apply(context) {
      const changes = await todo(context);
      const excluded = await excludedAddresses(context, base);
      if (!excluded.includes(address)) await setExcluded(context, base, [...excluded, address]);
      const started = Date.now();
      let progress = started;
      let shards = await shardsOn(context, base, node);
      while (shards.left.length > 0) {
        if (shards.moving) progress = Date.now();
        const stuck = Date.now() - progress > NO_PROGRESS_MS;
        if (stuck || Date.now() - started > STREAM_TIMEOUT_MS)
          throw new WireInstallError({
            what: stuck
              ? `${context.host.name}: ${shards.left.length} shard copies stay on ${node} and none has moved for ${NO_PROGRESS_MS / 60_000} min: Elasticsearch has nowhere to put them`
              : `${context.host.name}: shards are still on ${node} after ${STREAM_TIMEOUT_MS / 3_600_000} h`,
            evidence: shards.left.slice(0, 10),
            next: 'GET _cluster/allocation/explain shows why a shard does not move (a replica count the nodes left cannot hold, a disk watermark); run remove-host again once it can',
          });
        await new Promise((resolve) => setTimeout(resolve, RELOCATION_POLL_MS));
        shards = await shardsOn(context, base, node);
      }
      return { changes, notes: [] };
    },
  };
}

/** Once the node is gone: its address leaves the exclusion (a later host with that address gets shards again). */
function clearExclusionOperation(address: string, base: string): Operation {
  const change = `lift the allocation exclusion of ${address}`;
  return {
    kind: 'elasticsearch-exclude',
    target: address,
    inputs: { clear: address },
    async check(context) {
      return {
        changes: (await excludedAddresses(context, base)).includes(address) ? [change] : [],
        notes: [],
      };
    },
    async apply(context) {
      const excluded = await excludedAddresses(context, base);
      if (!excluded.includes(address)) return { changes: [], notes: [] };
      await setExcluded(
        context,
        base,
        excluded.filter((item) => item !== address),
      );
      return { changes: [change], notes: [] };
    },
  };
}

export const REMOVE_HOST_STAGE = 'remove-host';

/** The steps of the removal; kubectl runs on the admin host with the admin kubeconfig at `kubeconfigPath`. */
export function removeHostStage(plan: RemovalPlan, kubeconfigPath: string): EngineStage {
  const steps: EngineStep[] = [];
  const node = plan.host;
  // A lost PostgreSQL primary first: brig and galley cannot write until a standby is promoted.
  if (plan.promote) {
    steps.push({
      id: `${REMOVE_HOST_STAGE}.postgresql-promote`,
      title: `Promote ${plan.promote} to PostgreSQL primary`,
      hosts: [plan.promote],
      alwaysRun: true,
      operations: () => [promoteOperation(plan.oldPrimaryAddress)],
    });
  }
  // Then Kubernetes: the node's pods move away before its databases change.
  if (plan.kubernetes?.drain)
    steps.push({
      id: `${REMOVE_HOST_STAGE}.kubernetes-drain`,
      title: `Drain the Kubernetes node ${node}`,
      hosts: [ADMIN_HOST],
      admin: true,
      alwaysRun: true,
      operations: () => [
        nodeOperation(
          'kubectl-drain',
          `kubectl drain ${node}`,
          `drain ${shellQuote(node)} --ignore-daemonsets --delete-emptydir-data --timeout=${DRAIN_TIMEOUT_S}s`,
          kubeconfigPath,
          node,
          'ready',
        ),
      ],
    });
  if (plan.kubernetes?.reset)
    steps.push({
      id: `${REMOVE_HOST_STAGE}.kubeadm-reset`,
      title: `kubeadm reset on ${node}`,
      hosts: [node],
      alwaysRun: true,
      operations: () => [resetOperation()],
    });
  const via = plan.kubernetes?.etcdMemberVia;
  if (via)
    steps.push({
      id: `${REMOVE_HOST_STAGE}.etcd-member-remove`,
      title: `Remove the etcd member of ${node}`,
      hosts: [ADMIN_HOST],
      admin: true,
      alwaysRun: true,
      operations: () => [etcdMemberOperation(node, via, kubeconfigPath)],
    });
  if (plan.kubernetes)
    steps.push({
      id: `${REMOVE_HOST_STAGE}.kubernetes-delete-node`,
      title: `Delete the Kubernetes node ${node}`,
      hosts: [ADMIN_HOST],
      admin: true,
      alwaysRun: true,
      operations: () => [
        nodeOperation(
          'kubectl-delete-node',
          `kubectl delete node ${node}`,
          `delete node ${shellQuote(node)}`,
          kubeconfigPath,
          node,
          'present',
        ),
      ],
    });
  const cassandra = plan.cassandra;
  if (cassandra && 'decommission' in cassandra)
    steps.push({
      id: `${REMOVE_HOST_STAGE}.cassandra-decommission`,
      title: `Decommission the Cassandra node ${node}`,
      hosts: [node],
      alwaysRun: true,
      operations: () => [decommissionOperation(cassandra.address)],
    });
  if (cassandra && 'removenodeOn' in cassandra)
    steps.push({
      id: `${REMOVE_HOST_STAGE}.cassandra-removenode`,
      title: `Remove the Cassandra node ${node} from the ring`,
      hosts: [cassandra.removenodeOn],
      alwaysRun: true,
      operations: () => [removenodeOperation(cassandra.address)],
    });
  const elasticsearch = plan.elasticsearch;
  if (elasticsearch?.drain) {
    const stays = elasticsearch.on;
    const base = `http://${elasticsearch.stayAddress}:${ES_HTTP_PORT}`;
    steps.push(
      {
        id: `${REMOVE_HOST_STAGE}.elasticsearch-exclude`,
        title: `Move the Elasticsearch shards off ${node}`,
        hosts: [stays],
        alwaysRun: true,
        operations: () => [excludeOperation(node, elasticsearch.address, base)],
      },
      {
        id: `${REMOVE_HOST_STAGE}.elasticsearch-stop`,
        title: `Stop Elasticsearch on ${node}`,
        hosts: [node],
        alwaysRun: true,
        // Stopped and disabled: enabled, it would join the cluster again at boot.
        operations: () => [
          systemdUnitOperation({ unit: 'elasticsearch.service', enabled: false, running: false }),
        ],
      },
      {
        id: `${REMOVE_HOST_STAGE}.elasticsearch-clear-exclusion`,
        title: `Lift the allocation exclusion of ${node}`,
        hosts: [stays],
        alwaysRun: true,
        operations: () => [clearExclusionOperation(elasticsearch.address, base)],
      },
    );
  }
  if (plan.rabbitmqForgetOn) {
    const removed = plan.host;
    steps.push({
      id: `${REMOVE_HOST_STAGE}.rabbitmq-forget`,
      title: `Forget ${nodeName(removed)} in the RabbitMQ cluster`,
      hosts: [plan.rabbitmqForgetOn],
      alwaysRun: true,
      operations: () => [forgetOperation(removed, plan.removedAnswers)],
    });
  }
  return { id: REMOVE_HOST_STAGE, title: `Take ${plan.host} out`, steps };
}

/** Wire's steps that make another node the Cassandra seed: cassandra.yaml on every node, then a rolling restart. */
export const RESEED_STEP_IDS: readonly string[] = [
  'databases.cassandra-install',
  'databases.cassandra-start',
];
export const RESEED_STAGE = 'remove-host-reseed';

/**
 * The inventory the new Cassandra seed is made with: the one after the removal, and the removed
 * seed at its end when it answers (its own cassandra.yaml then names the new seed too, so it
 * leaves the ring from a node that is not the seed any more).
 */
export function reseedInventory(plan: RemovalPlan, before: Inventory): Inventory {
  const old = before.hosts.find((host) => host.name === plan.host);
  if (!plan.removedAnswers || !old) return plan.inventory;
  return { ...plan.inventory, hosts: [...plan.inventory.hosts, old] };
}

/** The reseed steps of `reseedWire` (Wire's stages on reseedInventory) in place of the same steps of `wire`. */
export function withReseedSteps(
  wire: readonly EngineStage[],
  reseedWire: readonly EngineStage[],
): EngineStage[] {
  const reseed = new Map(
    reseedWire
      .flatMap((stage) => stage.steps)
      .filter((step) => RESEED_STEP_IDS.includes(step.id))
      .map((step) => [step.id, step]),
  );
  return wire.map((stage) => ({ ...stage, steps: stage.steps.map((step) => reseed.get(step.id) ?? step) }));
}

/**
 * remove-host of the seed: the reseed steps as a stage of their own, before the removal's when
 * the seed answers, after it when it is gone; and out of Wire's stages after them.
 */
export function reseedFirst(
  removal: EngineStage,
  wire: readonly EngineStage[],
  reseedWire: readonly EngineStage[],
  removed: 'answers' | 'gone',
): EngineStage[] {
  const steps = reseedWire
    .flatMap((stage) => stage.steps)
    .filter((step) => RESEED_STEP_IDS.includes(step.id));
  const reseed = { id: RESEED_STAGE, title: 'Make another node the Cassandra seed', steps };
  const rest = wire.map((stage) => ({
    ...stage,
    steps: stage.steps.filter((step) => !RESEED_STEP_IDS.includes(step.id)),
  }));
  // A seed that answers is decommissioned from the new seed's ring: the restart first. One that is
  // gone leaves by removenode first: restarting a node while the dead one's replicas are down
  // would leave the ranges they share below QUORUM.
  return removed === 'answers' ? [reseed, removal, ...rest] : [removal, reseed, ...rest];
}

/** The chart whose Services (postgresql-external-rw and -ro) point wire-server at PostgreSQL. */
export const POSTGRESQL_CHART_STEP = 'workloads.postgresql-external';

/**
 * Wire's steps that bring the hosts left in line with the inventory without the host. After a
 * promotion, when the postgresql-external chart was installed (`chartInstalled`, from
 * state.json), its release again: its read-write Service then points at the new primary, which
 * is what brig and galley reach (the first postgresql host of the inventory is the primary).
 */
export function followUpSteps(plan: RemovalPlan, chartInstalled = false): string[] {
  return [
    ...(plan.promote && chartInstalled ? ['workloads.values', POSTGRESQL_CHART_STEP] : []),
    ...(plan.roles.includes('postgresql')
      ? ['databases.postgresql-primary', 'databases.postgresql-standbys', 'databases.postgresql-health']
      : []),
    ...(plan.roles.includes('rabbitmq') ? ['databases.rabbitmq-cluster', 'databases.rabbitmq-health'] : []),
    ...(plan.roles.includes('cassandra') ? ['databases.cassandra-health'] : []),
    // The nodes left get the discovery hosts and minimum_master_nodes without the host.
    ...(plan.roles.includes('elasticsearch')
      ? ['databases.elasticsearch-install', 'databases.elasticsearch-health']
      : []),
  ];
}
