import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn, planRemoval, type Survey } from '../../../src/remove-host/plan.js';
import {
  etcdMembers,
  followUpSteps,
  removeHostStage,
  reseedFirst,
  reseedInventory,
  ringHostId,
} from '../../../src/remove-host/stages.js';
import { production } from '../../support/inventories.js';

/**
 * remove-host's plan, from the inventory and what the hosts said. The production inventory:
 * kubenode1-3 (combined control planes), datanode1-3 with every database (datanode1 the
 * PostgreSQL primary), an asset host; `pgOnly` gives the data nodes PostgreSQL and RabbitMQ only,
 * plus a fourth such node, so nothing but those two roles is in play.
 */
const pgOnly = production((input) => {
  for (const host of input.hosts)
    if (host.name.startsWith('datanode')) host.roles = ['postgresql', 'rabbitmq'];
  input.hosts.push({ name: 'datanode4', address: '192.168.122.34', roles: ['postgresql', 'rabbitmq'] });
});
const everyone = new Set(pgOnly.hosts.map((host) => host.name));
const lsn = (text: string) => parseLsn(text) ?? 0n;
/** What the hosts said: [in recovery, LSN, holds wire-server (default true)]; the primary silent unless said. */
const survey = (
  reachable: Iterable<string>,
  postgres: Record<string, [boolean, string, boolean?]>,
  primaryServes: boolean | undefined = false,
): Survey => ({
  reachable: new Set(reachable),
  postgres: new Map(
    Object.entries(postgres).map(([name, [inRecovery, at, wire = true]]) => [
      name,
      { inRecovery, lsn: lsn(at), hasWireDatabase: wire },
    ]),
  ),
  primaryServes,
});
const without = (name: string) => [...everyone].filter((host) => host !== name);
/** The production inventory with a fourth Kubernetes node, a worker only. */
const withWorker = () =>
  production((input) => {
    input.hosts.push({ name: 'worker4', address: '192.168.122.24', roles: ['kube-worker'] });
  });
const names = (inventory: ReturnType<typeof production>) => inventory.hosts.map((host) => host.name);

describe("remove-host's plan", () => {
  it('promotes the standby that received the most WAL when the primary is gone, and puts it first', () => {
    const plan = planRemoval(
      pgOnly,
      'datanode1',
      survey(without('datanode1'), {
        datanode2: [true, '0/5000060'],
        datanode3: [true, '0/50000A0'],
        datanode4: [true, '0/5000000'],
      }),
    );
    expect(plan.refusals).toEqual([]);
    expect(plan.promote).toBe('datanode3');
    expect(plan.actions[0]).toContain('promote datanode3 to primary');
    expect(plan.actions[0]).toContain('datanode3 0/50000A0');
    expect(
      plan.inventory.hosts.filter((host) => host.roles.includes('postgresql')).map((host) => host.name),
    ).toEqual(['datanode3', 'datanode2', 'datanode4']);
    expect(plan.rabbitmqForgetOn).toBe('datanode2');
  });

  it('keeps the inventory order when the standby promoted is already the first one left', () => {
    const plan = planRemoval(
      pgOnly,
      'datanode1',
      survey(without('datanode1'), { datanode2: [true, '0/9000000'], datanode3: [true, '0/5000000'] }),
    );
    expect(plan.promote).toBe('datanode2');
    expect(
      plan.inventory.hosts.filter((host) => host.roles.includes('postgresql')).map((host) => host.name),
    ).toEqual(['datanode2', 'datanode3', 'datanode4']);
  });

  it('keeps a standby promoted by an interrupted earlier run, whatever the others received', () => {
    const plan = planRemoval(
      pgOnly,
      'datanode1',
      survey(without('datanode1'), {
        datanode2: [true, '0/9000000'],
        datanode3: [true, '0/9000000'],
        datanode4: [false, '0/5000000'],
      }),
    );
    expect(plan.promote).toBe('datanode4');
    expect(plan.actions[0]).toContain('datanode4 was promoted to primary by an earlier run');
  });

  it('never takes a fresh host (not in recovery, no wire-server database) for a promoted primary', () => {
    const plan = planRemoval(
      pgOnly,
      'datanode1',
      survey(without('datanode1'), {
        datanode2: [true, '0/9000000'],
        datanode3: [true, '0/5000000'],
        datanode4: [false, '0/1000000', false],
      }),
    );
    expect(plan.promote).toBe('datanode2');
  });

  it('refuses while the primary still serves: from its own answer, or from pg_isready on the standbys', () => {
    const running = planRemoval(pgOnly, 'datanode1', survey(everyone, { datanode1: [false, '0/5000000'] }));
    expect(running.refusals[0]).toContain('datanode1 is the primary and its PostgreSQL still answers');
    const serving = planRemoval(pgOnly, 'datanode1', survey(without('datanode1'), {}, true));
    expect(serving.refusals[0]).toContain('still answers (pg_isready from the standbys)');
    const unknown = planRemoval(pgOnly, 'datanode1', {
      ...survey(without('datanode1'), {}),
      primaryServes: undefined,
    });
    expect(unknown.refusals[0]).toContain('no standby could ask whether datanode1');
  });

  it('refuses a failover while a standby does not answer: every standby is repointed in the same run', () => {
    const plan = planRemoval(
      pgOnly,
      'datanode1',
      survey(['datanode2', 'datanode4'], { datanode2: [true, '0/9000000'], datanode4: [true, '0/5000000'] }),
    );
    expect(plan.refusals[0]).toContain('PostgreSQL: datanode3 did not answer');
    const none = planRemoval(pgOnly, 'datanode1', survey(without('datanode1'), {}));
    expect(none.refusals[0]).toContain('no standby answers (datanode2, datanode3, datanode4)');
  });

  it('takes a standby out without a promotion; the primary stays first', () => {
    const plan = planRemoval(pgOnly, 'datanode2', survey(everyone, {}));
    expect(plan.refusals).toEqual([]);
    expect(plan.promote).toBeUndefined();
    expect(plan.actions[0]).toContain('datanode2 is a standby');
    expect(plan.inventory.hosts.map((host) => host.name)).not.toContain('datanode2');
    expect(plan.inventory.hosts.find((host) => host.roles.includes('postgresql'))?.name).toBe('datanode1');
  });

  it('refuses when no other RabbitMQ node answers to forget the host', () => {
    const plan = planRemoval(
      pgOnly,
      'datanode2',
      survey(
        ['datanode1'].filter(() => false),
        {},
      ),
    );
    expect(plan.refusals).toEqual([
      'RabbitMQ: no other RabbitMQ node answers (datanode1, datanode3, datanode4): none can forget datanode2. Bring one back, then run remove-host again.',
    ]);
  });

  it('warns when the inventory left breaks a rule of Wire (two PostgreSQL hosts in production)', () => {
    const three = production((input) => {
      for (const host of input.hosts)
        if (host.name.startsWith('datanode')) host.roles = ['postgresql', 'rabbitmq', 'cassandra'];
    });
    const hosts = new Set(three.hosts.map((host) => host.name));
    const plan = planRemoval(three, 'datanode3', survey(hosts, {}));
    // Cassandra with three nodes refuses; the warnings still say what the inventory would break.
    expect(plan.refusals.some((refusal) => refusal.startsWith('Cassandra:'))).toBe(true);
    expect(plan.warnings.some((warning) => warning.includes('2 hosts with role postgresql'))).toBe(true);
  });

  it('a control plane: quorum counted among the control planes left that answer', () => {
    const inventory = withWorker();
    const lost = planRemoval(inventory, 'kubenode3', survey(['kubenode1'], {}));
    expect(lost.refusals[0]).toContain('etcd would lose quorum');
    expect(lost.refusals[0]).toContain('1 of them answer (kubenode1); etcd needs 2 of 2');
    expect(lost.kubernetes).toBeUndefined();
  });

  it('a control plane that answers, not the first: drained, kubeadm reset (its etcd member with it), deleted', () => {
    const inventory = withWorker();
    const plan = planRemoval(inventory, 'kubenode3', survey(['kubenode1', 'kubenode2', 'kubenode3'], {}));
    expect(plan.refusals).toEqual([]);
    expect(plan.kubernetes).toEqual({ drain: true, reset: true, etcdMemberVia: 'kubenode1' });
    expect(plan.actions.slice(0, 4)).toEqual([
      'Kubernetes: drain kubenode3 while the cluster reports it Ready (kubectl drain --ignore-daemonsets --delete-emptydir-data: its pods move to the other nodes); a node that is NotReady is not drained: its pods start again elsewhere once the node is deleted',
      'Kubernetes: kubeadm reset on kubenode3 (which also takes its member out of etcd): its kubelet configuration and certificates are removed',
      'Kubernetes: if kubeadm reset left it, its etcd member is removed through the etcd pod of kubenode1 (kubectl exec etcd-kubenode1 -- etcdctl member remove ID), so etcd counts 2 members again',
      'Kubernetes: delete the node kubenode3 (kubectl delete node)',
    ]);
    expect(removeHostStage(plan, '/k').steps.map((step) => `${step.id} ${step.hosts}`)).toEqual([
      'remove-host.kubernetes-drain admin host',
      'remove-host.kubeadm-reset kubenode3',
      'remove-host.etcd-member-remove admin host',
      'remove-host.kubernetes-delete-node admin host',
    ]);
  });

  it('a control plane that does not answer: its etcd member removed through the first one; the first refused', () => {
    const inventory = withWorker();
    const silent = planRemoval(inventory, 'kubenode3', survey(['kubenode1', 'kubenode2'], {}));
    expect(silent.refusals).toEqual([]);
    expect(silent.kubernetes).toEqual({ drain: true, reset: false, etcdMemberVia: 'kubenode1' });
    expect(silent.actions[1]).toBe(
      'Kubernetes: kubenode3 does not answer: its etcd member is removed through the etcd pod of kubenode1 (kubectl exec etcd-kubenode1 -- etcdctl member remove ID), so etcd counts 2 members again',
    );
    const first = planRemoval(inventory, 'kubenode1', survey(names(inventory), {}));
    expect(first.refusals).toEqual([
      expect.stringContaining('Kubernetes: kubenode1 is the first control plane'),
    ]);
  });

  it('a worker that does not answer over SSH is not reset; drained only if the cluster has it Ready, then deleted', () => {
    const inventory = withWorker();
    const plan = planRemoval(inventory, 'worker4', survey(['kubenode1', 'kubenode2', 'kubenode3'], {}));
    expect(plan.refusals).toEqual([]);
    expect(plan.kubernetes).toEqual({ drain: true, reset: false });
    expect(plan.actions[0]).toContain('Kubernetes: drain worker4 while the cluster reports it Ready');
    expect(plan.actions[1]).toBe('Kubernetes: delete the node worker4 (kubectl delete node)');
    expect(plan.inventory.hosts.map((host) => host.name)).not.toContain('worker4');
  });

  it('Cassandra above the replication factor: decommission when the node answers, removenode when not', () => {
    const four = production((input) => {
      for (const host of input.hosts) if (host.name.startsWith('datanode')) host.roles = ['cassandra'];
      input.hosts.push({ name: 'datanode4', address: '192.168.122.34', roles: ['cassandra'] });
    });
    const all = names(four);
    const answering = planRemoval(four, 'datanode4', survey(all, {}));
    expect(answering.refusals).toEqual([]);
    expect(answering.cassandra).toEqual({ decommission: true, address: '192.168.122.34' });
    expect(answering.actions[0]).toMatch(
      /^Cassandra: nodetool decommission on datanode4 .*streams its data to the 3 nodes left/,
    );

    const off = planRemoval(
      four,
      'datanode4',
      survey(
        all.filter((name) => name !== 'datanode4'),
        {},
      ),
    );
    expect(off.refusals).toEqual([]);
    expect(off.cassandra).toEqual({ removenodeOn: 'datanode1', address: '192.168.122.34' });
    expect(off.actions[0]).toContain('datanode4 does not answer: on datanode1, nodetool removenode');

    const otherSilent = planRemoval(
      four,
      'datanode4',
      survey(
        all.filter((name) => name !== 'datanode2'),
        {},
      ),
    );
    expect(otherSilent.refusals).toEqual([expect.stringContaining('Cassandra: datanode2 did not answer')]);
    expect(otherSilent.cassandra).toBeUndefined();
  });

  it('the Cassandra seed: another node made the seed first (all of cassandra.yaml, a rolling restart), then it leaves', () => {
    const four = production((input) => {
      for (const host of input.hosts) if (host.name.startsWith('datanode')) host.roles = ['cassandra'];
      input.hosts.push({ name: 'datanode4', address: '192.168.122.34', roles: ['cassandra'] });
    });
    const all = names(four);
    const seed = planRemoval(four, 'datanode1', survey(all, {}));
    expect(seed.refusals).toEqual([]);
    expect(seed.cassandraReseed).toBe('datanode2');
    expect(seed.cassandra).toEqual({ decommission: true, address: '192.168.122.31' });
    expect(seed.actions[0]).toBe(
      "Cassandra: datanode1 is the seed (Wire's cassandra_seed, the first cassandra host), so datanode2 becomes the seed first: every node's cassandra.yaml names it (databases.cassandra-install), datanode1's too, and the nodes restart one at a time, each UN before the next (databases.cassandra-start)",
    );
    // It answers: it gets the new seed's cassandra.yaml too, at the end of the rolling restart.
    expect(names(reseedInventory(seed, four)).filter((name) => name.startsWith('datanode'))).toEqual([
      'datanode2',
      'datanode3',
      'datanode4',
      'datanode1',
    ]);
    const step = (id: string, hosts: string[]) => ({ id, title: id, hosts, operations: () => [] });
    const wire = [
      {
        id: 'databases',
        title: 'd',
        steps: [
          step('databases.cassandra-install', ['datanode2']),
          step('databases.cassandra-health', ['datanode2']),
        ],
      },
    ];
    const reseedWire = [
      {
        id: 'databases',
        title: 'd',
        steps: [step('databases.cassandra-install', ['datanode2', 'datanode1'])],
      },
    ];
    const removal = removeHostStage(seed, '/k');
    const order = (removed: 'answers' | 'gone') =>
      reseedFirst(removal, wire, reseedWire, removed).map(
        (stage) => `${stage.id}: ${stage.steps.map((s) => `${s.id} ${s.hosts}`)}`,
      );
    expect(order('answers')).toEqual([
      'remove-host-reseed: databases.cassandra-install datanode2,datanode1',
      'remove-host: remove-host.cassandra-decommission datanode1',
      'databases: databases.cassandra-health datanode2',
    ]);
    // A seed that is gone leaves first (removenode): no node restarts while its replicas are down.
    expect(order('gone').map((line) => line.split(':')[0])).toEqual([
      'remove-host',
      'remove-host-reseed',
      'databases',
    ]);
    // Switched off: removed from the ring by removenode on the next node, which then becomes the seed.
    const off = planRemoval(
      four,
      'datanode1',
      survey(
        all.filter((name) => name !== 'datanode1'),
        {},
      ),
    );
    expect(off.cassandra).toEqual({ removenodeOn: 'datanode2', address: '192.168.122.31' });
    expect(reseedInventory(off, four)).toBe(off.inventory);
  });

  it('Elasticsearch: shards moved off a node that answers, then it stops; the last node and silent others refused', () => {
    const es = production((input) => {
      for (const host of input.hosts) if (host.name.startsWith('datanode')) host.roles = ['elasticsearch'];
    });
    const all = names(es);
    const drained = planRemoval(es, 'datanode3', survey(all, {}));
    expect(drained.refusals).toEqual([]);
    expect(drained.elasticsearch).toEqual({
      on: 'datanode1',
      stayAddress: '192.168.122.31',
      address: '192.168.122.33',
      drain: true,
    });
    expect(removeHostStage(drained, '/k').steps.map((step) => `${step.id} ${step.hosts}`)).toEqual([
      'remove-host.elasticsearch-exclude datanode1',
      'remove-host.elasticsearch-stop datanode3',
      'remove-host.elasticsearch-clear-exclusion datanode1',
    ]);
    expect(followUpSteps(drained)).toEqual([
      'databases.elasticsearch-install',
      'databases.elasticsearch-health',
    ]);
    expect(drained.actions[1]).toContain('minimum_master_nodes 2');
    // Switched off: nothing to move (its replicas on the others are primaries already), no step on it.
    const gone = planRemoval(
      es,
      'datanode3',
      survey(
        all.filter((name) => name !== 'datanode3'),
        {},
      ),
    );
    expect(gone.elasticsearch?.drain).toBe(false);
    expect(removeHostStage(gone, '/k').steps).toEqual([]);
    const silent = planRemoval(
      es,
      'datanode3',
      survey(
        all.filter((name) => name !== 'datanode2'),
        {},
      ),
    );
    expect(silent.refusals[0]).toMatch(/^Elasticsearch: datanode2 did not answer/);
    const one = production((input) => {
      input.hosts = input.hosts.filter(
        (host) => !host.name.startsWith('datanode') || host.name === 'datanode1',
      );
      for (const host of input.hosts) if (host.name === 'datanode1') host.roles = ['elasticsearch'];
    });
    expect(planRemoval(one, 'datanode1', survey(names(one), {})).refusals[0]).toMatch(
      /^Elasticsearch: datanode1 is the last Elasticsearch node/,
    );
    // Two to one: the node left would wait for a second master-eligible node for ever.
    const two = production((input) => {
      input.hosts = input.hosts.filter((host) => host.name !== 'datanode3');
      for (const host of input.hosts) if (host.name.startsWith('datanode')) host.roles = ['elasticsearch'];
    });
    expect(planRemoval(two, 'datanode2', survey(names(two), {})).refusals[0]).toMatch(
      /^Elasticsearch: with datanode2 gone only datanode1 would remain, .*minimum_master_nodes 2/,
    );
  });

  it("reads etcdctl's member IDs as text (uint64, beyond JavaScript's exact integers) and gives them in hex", () => {
    const listed =
      '{"header":{"cluster_id":1},"members":[{"ID":9223372036854775809,"name":"kubenode1","peerURLs":["https://192.168.122.21:2380"]},{"ID": 5764607523034234881,"name":"kubenode3"}]}';
    expect(etcdMembers(listed)).toEqual([
      { id: '8000000000000001', name: 'kubenode1' },
      { id: '5000000000000001', name: 'kubenode3' },
    ]);
  });

  it("finds a node's host ID in nodetool status by its address", () => {
    const status = [
      'Datacenter: datacenter1',
      '--  Address      Load       Tokens       Owns (effective)  Host ID                               Rack',
      'UN  10.0.0.1     1.2 MiB    256          75.0%             0c3b8b6e-3f5e-4a7e-9d43-1a2b3c4d5e6f  rack1',
      'DN  10.0.0.14    1.1 MiB    256          75.0%             9f8e7d6c-5b4a-4392-8170-fedcba987654  rack1',
    ].join('\n');
    expect(ringHostId(status, '10.0.0.14')).toBe('9f8e7d6c-5b4a-4392-8170-fedcba987654');
    expect(ringHostId(status, '10.0.0.1')).toBe('0c3b8b6e-3f5e-4a7e-9d43-1a2b3c4d5e6f');
    expect(ringHostId(status, '10.0.0.2')).toBeUndefined();
  });

  it('after a promotion, applies the postgresql-external release again where it was installed (wire-server follows)', () => {
    const plan = planRemoval(
      pgOnly,
      'datanode1',
      survey(without('datanode1'), { datanode2: [true, '0/9000000'], datanode3: [true, '0/5000000'] }),
    );
    expect(plan.promote).toBe('datanode2');
    expect(plan.actions).toContainEqual(expect.stringContaining('Service points at datanode2'));
    const chartSteps = (installed: boolean) =>
      followUpSteps(plan, installed).filter((step) => step.startsWith('workloads.'));
    expect(chartSteps(true)).toEqual(['workloads.values', 'workloads.postgresql-external']);
    // No chart installed yet (databases first): nothing of Wire's charts runs.
    expect(chartSteps(false)).toEqual([]);
    expect(followUpSteps(plan, true)).toContain('databases.postgresql-standbys');
    // A standby removed: no promotion, no chart.
    const standby = planRemoval(pgOnly, 'datanode3', survey(everyone, {}));
    expect(followUpSteps(standby, true).filter((step) => step.startsWith('workloads.'))).toEqual([]);
  });

  it('reads and prints LSNs as PostgreSQL does', () => {
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(formatLsn(parseLsn('16/B374D848') ?? 0n)).toBe('16/B374D848');
    expect(parseLsn('')).toBeUndefined();
    expect(parseLsn('t')).toBeUndefined();
  });
});
