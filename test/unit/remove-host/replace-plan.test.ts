import { describe, expect, it } from 'vitest';
import type { EngineStage } from '../../../src/engine/types.js';
import { parseLsn, type Survey } from '../../../src/remove-host/plan.js';
import { planReplacement } from '../../../src/remove-host/replace-plan.js';
import {
  REPLACE_HEALTH_STAGE,
  REPLACE_HOST_STAGE,
  replacementSelection,
  replacementStages,
} from '../../../src/remove-host/run-replace-host.js';
import { followUpSteps, removeHostStage } from '../../../src/remove-host/stages.js';
import { peersFrom, replaceDropIn } from '../../../src/wire/cassandra-replace.js';
import { production } from '../../support/inventories.js';

/**
 * replace-host's plan and run order, from the inventory and what the hosts said. The production
 * inventory (kubenode1-3, datanode1-3 with every database, an asset host), its data nodes cut
 * down to the roles a case needs, and a fourth node added with the old one's roles.
 */
const dataRoles = (roles: string[], newRoles = roles) =>
  production((input) => {
    for (const host of input.hosts) if (host.name.startsWith('datanode')) host.roles = roles as never;
    input.hosts.push({ name: 'datanode4', address: '192.168.122.34', roles: newRoles as never });
  });
const cassandra = dataRoles(['cassandra']);
const all = (inventory: ReturnType<typeof production>) => inventory.hosts.map((host) => host.name);
const survey = (
  reachable: Iterable<string>,
  postgres: Record<string, [boolean, string]> = {},
  primaryServes: boolean | undefined = false,
): Survey => ({
  reachable: new Set(reachable),
  postgres: new Map(
    Object.entries(postgres).map(([name, [inRecovery, at]]) => [
      name,
      { inRecovery, lsn: parseLsn(at) ?? 0n, hasWireDatabase: true },
    ]),
  ),
  primaryServes,
});
const but = (inventory: ReturnType<typeof production>, name: string) =>
  all(inventory).filter((host) => host !== name);

describe("replace-host's plan", () => {
  it('replaces the third Cassandra node, which remove-host refuses: NEW counts before OLD leaves', () => {
    const plan = planReplacement(cassandra, 'datanode3', 'datanode4', survey(all(cassandra)));
    expect(plan.refusals).toEqual([]);
    // It answers: NEW bootstraps by Wire's steps, then OLD is decommissioned.
    expect(plan.removal.cassandra).toEqual({ decommission: true, address: '192.168.122.33' });
    expect(plan.cassandraReplaces).toBeUndefined();
    expect(plan.actions[0]).toMatch(/^Install datanode4 with the roles of datanode3 \(cassandra\)/);
    expect(plan.actions.findIndex((line) => line.includes('nodetool decommission on datanode3'))).toBe(1);
    expect(plan.actions.at(-1)).toMatch(/^wire-install's records: datanode3 leaves/);
    expect(all(plan.removal.inventory)).not.toContain('datanode3');
    expect(all(plan.removal.inventory)).toContain('datanode4');
  });

  it('takes over the tokens of a Cassandra node that does not answer, with no removenode', () => {
    const plan = planReplacement(cassandra, 'datanode3', 'datanode4', survey(but(cassandra, 'datanode3')));
    expect(plan.refusals).toEqual([]);
    expect(plan.cassandraReplaces).toBe('192.168.122.33');
    expect(plan.removal.cassandra).toBeUndefined();
    expect(plan.actions[0]).toContain('replace_address_first_boot=192.168.122.33');
    expect(plan.actions.join('\n')).not.toContain('removenode');
  });

  it('refuses a new host missing from the inventory, with other roles, silent, or the old host itself', () => {
    const missing = planReplacement(cassandra, 'datanode3', 'datanode9', survey(all(cassandra)));
    expect(missing.refusals[0]).toBe(
      'datanode9 is not in the inventory: add it under hosts: with its address and the roles of datanode3 (cassandra), then run replace-host again.',
    );
    const other = dataRoles(['cassandra'], ['cassandra', 'rabbitmq']);
    expect(planReplacement(other, 'datanode3', 'datanode4', survey(all(other))).refusals[0]).toContain(
      'datanode4 has the roles cassandra, rabbitmq, datanode3 has cassandra',
    );
    const silent = planReplacement(cassandra, 'datanode3', 'datanode4', survey(but(cassandra, 'datanode4')));
    expect(silent.refusals[0]).toContain('datanode4 does not answer over SSH');
    expect(
      planReplacement(cassandra, 'datanode3', 'datanode3', survey(all(cassandra))).refusals[0],
    ).toContain('cannot replace itself');
  });

  it("refuses what remove-host refuses for the old host: MinIO's pool", () => {
    const minio = dataRoles(['minio']);
    expect(
      planReplacement(minio, 'datanode2', 'datanode4', survey(all(minio))).refusals.join('\n'),
    ).toContain('MinIO cannot take a server out of a pool');
  });

  it('replaces the Cassandra seed: the next node becomes the seed, the new host joins it', () => {
    const plan = planReplacement(cassandra, 'datanode1', 'datanode4', survey(all(cassandra)));
    expect(plan.refusals).toEqual([]);
    expect(plan.removal.cassandraReseed).toBe('datanode2');
    expect(plan.actions[0]).toMatch(/^Install datanode4/);
    expect(plan.actions[1]).toContain('datanode1 is the seed');
  });

  it('promotes a standby first when the old host was the PostgreSQL primary, and lists it first', () => {
    const postgres = dataRoles(['postgresql']);
    const plan = planReplacement(
      postgres,
      'datanode1',
      'datanode4',
      survey(but(postgres, 'datanode1'), { datanode2: [true, '0/5000000'], datanode3: [true, '0/5000100'] }),
    );
    expect(plan.refusals).toEqual([]);
    expect(plan.removal.promote).toBe('datanode3');
    expect(plan.actions[0]).toContain('promote datanode3 to primary');
    expect(plan.actions[1]).toMatch(/^Install datanode4/);
    // The primary is the first postgresql host of the inventory the run installs NEW with.
    expect(
      plan.removal.inventory.hosts
        .filter((host) => host.roles.includes('postgresql'))
        .map((host) => host.name),
    ).toEqual(['datanode3', 'datanode2', 'datanode4']);
  });
});

describe("replace-host's run", () => {
  const step = (id: string) => ({ id, title: id, hosts: ['datanode2'], operations: () => [] });
  const wire: EngineStage[] = [
    { id: 'bootstrap-host', title: 'b', steps: [step('bootstrap-host.apt-sources')] },
    {
      id: 'databases',
      title: 'd',
      steps: [
        step('databases.postgresql-primary'),
        step('databases.postgresql-health'),
        step('databases.cassandra-start'),
        step('databases.cassandra-health'),
      ],
    },
  ];
  const stageIds = (stages: EngineStage[]) =>
    stages.map((stage) => `${stage.id}: ${stage.steps.map((s) => s.id)}`);

  it('prepares NEW first, installs it, takes OLD out, and checks health last', () => {
    const postgres = dataRoles(['postgresql', 'cassandra']);
    const plan = planReplacement(
      postgres,
      'datanode2',
      'datanode4',
      survey(but(postgres, 'datanode2'), { datanode1: [false, '0/5000000'] }),
    );
    expect(plan.refusals).toEqual([]);
    const removal = removeHostStage(plan.removal, '/kubeconfig');
    expect(stageIds(replacementStages(plan, wire, removal))).toEqual([
      `${REPLACE_HOST_STAGE}: replace-host.cassandra-replace-address`,
      'bootstrap-host: bootstrap-host.apt-sources',
      'databases: databases.postgresql-primary,databases.cassandra-start',
      'remove-host: ',
      `${REPLACE_HEALTH_STAGE}: databases.postgresql-health,databases.cassandra-health`,
    ]);
    // With --only: the operator's choice, the replacement's own stages, remove-host's follow-ups,
    // and the health checks of the stages selected.
    const only = replacementSelection('production', 'databases', removal, followUpSteps(plan.removal));
    expect(only?.split(',')).toEqual(
      expect.arrayContaining([
        'databases',
        REPLACE_HOST_STAGE,
        'remove-host',
        'databases.postgresql-primary',
        'databases.cassandra-health',
        'databases.rabbitmq-health',
        'databases.elasticsearch-health',
      ]),
    );
    expect(replacementSelection('production', undefined, removal, [])).toBeUndefined();
  });
});

describe("Cassandra's replacement on the host", () => {
  it("writes the address into the JVM's extra options, and reads cqlsh's peers", () => {
    expect(replaceDropIn('10.0.0.3')).toContain(
      'Environment="JVM_EXTRA_OPTS=-Dcassandra.replace_address_first_boot=10.0.0.3"',
    );
    expect(peersFrom('\n peer\n-----------\n 10.0.0.2\n 10.0.0.3\n\n(2 rows)\n')).toEqual([
      '10.0.0.2',
      '10.0.0.3',
    ]);
    expect(peersFrom('\n peer\n------\n\n(0 rows)\n')).toEqual([]);
  });
});

describe('replace-host of a control plane that does not answer', () => {
  it('removes its etcd member before the new control plane joins', () => {
    const inventory = production((input) => {
      input.hosts.push({
        name: 'kubenode4',
        address: '192.168.122.24',
        roles: ['kube-control-plane', 'kube-worker'],
      });
      const third = input.hosts.find((host) => host.name === 'kubenode3');
      if (third) third.roles = ['kube-control-plane', 'kube-worker'];
    });
    const plan = planReplacement(inventory, 'kubenode3', 'kubenode4', survey(but(inventory, 'kubenode3')));
    expect(plan.refusals).toEqual([]);
    const removal = removeHostStage(plan.removal, '/kubeconfig');
    const stages = replacementStages(plan, [{ id: 'kubernetes', title: 'k', steps: [] }], removal);
    expect(stages.map((stage) => `${stage.id}: ${stage.steps.map((step) => step.id)}`)).toEqual([
      `${REPLACE_HOST_STAGE}: remove-host.etcd-member-remove`,
      'kubernetes: ',
      'remove-host: remove-host.kubernetes-drain,remove-host.kubernetes-delete-node',
      `${REPLACE_HEALTH_STAGE}: `,
    ]);
  });
});

describe('replace-host refuses a new host that would take a duty it cannot hold', () => {
  it('the first host of a role once OLD is gone (the seed, the node the others join)', () => {
    const early = production((input) => {
      for (const host of input.hosts) if (host.name.startsWith('datanode')) host.roles = ['cassandra'];
      // datanode4 right after datanode1: with datanode1 gone it would be the first cassandra host.
      input.hosts.splice(input.hosts.findIndex((host) => host.name === 'datanode1') + 1, 0, {
        name: 'datanode4',
        address: '192.168.122.34',
        roles: ['cassandra'],
      });
    });
    const plan = planReplacement(early, 'datanode1', 'datanode4', survey(all(early)));
    expect(plan.refusals.join('\n')).toContain(
      'datanode4 would be the first cassandra host once datanode1 is gone (datanode2, datanode3 come after it in inventory.yaml)',
    );
  });

  it('an --only that installs none of OLD roles on NEW', () => {
    const kube = production((input) => {
      input.hosts.push({
        name: 'kubenode4',
        address: '192.168.122.24',
        roles: ['kube-control-plane', 'kube-worker'],
      });
      const third = input.hosts.find((host) => host.name === 'kubenode3');
      if (third) third.roles = ['kube-control-plane', 'kube-worker'];
    });
    const refused = planReplacement(kube, 'kubenode3', 'kubenode4', survey(all(kube)), 'databases');
    expect(refused.refusals).toEqual([
      '--only databases runs none of the steps that install kube-control-plane, kube-worker on kubenode4, while kubenode3 is taken out of those roles: name their stages too (e.g. kubernetes, databases), or leave --only out.',
    ]);
    expect(
      planReplacement(kube, 'kubenode3', 'kubenode4', survey(all(kube)), 'preflight,kubernetes').refusals,
    ).toEqual([]);
  });
});
