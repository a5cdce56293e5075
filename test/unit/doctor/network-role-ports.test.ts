import { describe, expect, it } from 'vitest';
import { type ProbedPort, rolePortResults } from '../../../src/doctor/checks/network.js';
import { rolePortProbes } from '../../../src/doctor/checks/role-ports.js';
import type { ProbeOutcome } from '../../../src/doctor/checks/tcp-probes.js';
import { demo, production } from '../../support/inventories.js';

/**
 * network.role-ports: which ports each host probes (docs/wire/health-and-ports.md#ports-and-firewall, from the roles), and what a
 * probe's outcome means before and after the role's service is installed.
 */

const inventory = production();
const plan = rolePortProbes(inventory);
const list = (from: string) => (plan.get(from) ?? []).map((probe) => `${probe.to}:${probe.port}`);

describe('which ports each host probes', () => {
  it('a Kubernetes node: every database, the other API servers and etcd peers, the asset host; never itself', () => {
    const probes = list('kubenode1');
    for (const port of [9042, 9200, 9000, 5672, 5432])
      expect(probes.filter((probe) => probe.endsWith(`:${port}`))).toEqual([
        `datanode1:${port}`,
        `datanode2:${port}`,
        `datanode3:${port}`,
      ]);
    expect(probes.filter((probe) => /:(6443|2379|2380)$/.test(probe)).sort()).toEqual([
      'kubenode2:2379',
      'kubenode2:2380',
      'kubenode2:6443',
      'kubenode3:2379',
      'kubenode3:2380',
      'kubenode3:6443',
    ]);
    expect(probes).toContain('assethost:8080');
    expect(probes.some((probe) => probe.startsWith('kubenode1:'))).toBe(false);
    expect(probes).toHaveLength(15 + 6 + 1);
  });

  it('a database node: its peers (gossip, transport, inter-node) and the asset host, not the clients’ ports', () => {
    expect(list('datanode2')).toEqual([
      'datanode1:7000',
      'datanode3:7000',
      'datanode1:9300',
      'datanode3:9300',
      'datanode1:25672',
      'datanode3:25672',
      'assethost:8080',
    ]);
    expect(plan.get('datanode2')?.[0]).toMatchObject({
      address: '192.168.122.31',
      what: 'Cassandra (gossip)',
      installedBy: 'databases.cassandra-start',
    });
  });

  it('the asset host probes nothing; a demo (one host) neither', () => {
    expect(list('assethost')).toEqual([]);
    expect(list('wire-demo')).toEqual([]);
    expect(rolePortProbes(demo()).get('wire-demo')).toEqual([]);
  });

  it('the first PostgreSQL host is installed by the primary step, the others by the standbys step', () => {
    const postgres = (plan.get('kubenode1') ?? []).filter((probe) => probe.port === 5432);
    expect(postgres.map((probe) => probe.installedBy)).toEqual([
      'databases.postgresql-primary',
      'databases.postgresql-standbys',
      'databases.postgresql-standbys',
    ]);
  });
});

const cassandra = (plan.get('kubenode1') ?? []).filter((probe) => probe.port === 9042);
const probed = (outcomes: ProbeOutcome[]): ProbedPort[] =>
  cassandra.map((probe, index) => ({
    probe,
    result: {
      address: probe.address,
      port: probe.port,
      outcome: outcomes[index] ?? 'open',
      detail: outcomes[index] === 'refused' ? 'Connection refused' : '',
    },
  }));
const installed = new Set(['databases.cassandra-start']);

describe("a probe's verdict", () => {
  it('open everywhere: one pass counting the probes', () => {
    const results = rolePortResults(
      'kubenode1',
      '192.168.122.21',
      probed(['open', 'open', 'open']),
      installed,
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'pass', host: 'kubenode1' });
    expect(results[0]?.summary).toContain('3 of 3');
  });

  it('refused before the service is installed: a pass (not blocked, nothing listens yet)', () => {
    const results = rolePortResults(
      'kubenode1',
      '192.168.122.21',
      probed(['refused', 'refused', 'open']),
      new Set(),
    );
    expect(results.map((result) => result.status)).toEqual(['pass']);
    expect(results[0]?.evidence.join('\n')).toContain(
      'nothing listens yet (databases.cassandra-start has not run)',
    );
  });

  it('refused once installed: the service is down, naming it and how to look', () => {
    const results = rolePortResults(
      'kubenode1',
      '192.168.122.21',
      probed(['open', 'refused', 'open']),
      installed,
    );
    expect(results.map((result) => result.status)).toEqual(['pass', 'fail']);
    const [, down] = results;
    expect(down?.summary).toContain('Cassandra (CQL) does not listen on datanode2 (192.168.122.32)');
    expect(down?.fix).toContain('systemctl status cassandra');
    expect(down?.evidence).toEqual([
      '9042/tcp from kubenode1 to datanode2 (192.168.122.32): Connection refused',
    ]);
  });

  it('timed out: blocked, one fail per port naming every blocked host, with the firewall rule to open', () => {
    const results = rolePortResults(
      'kubenode1',
      '192.168.122.21',
      probed(['timed-out', 'open', 'timed-out']),
      installed,
    );
    expect(results.map((result) => result.status)).toEqual(['pass', 'fail']);
    const [, blocked] = results;
    expect(blocked?.summary).toContain('9042/tcp is blocked');
    expect(blocked?.summary).toContain('datanode1 (192.168.122.31), datanode3 (192.168.122.33)');
    expect(blocked?.evidence).toEqual([
      '9042/tcp from kubenode1 to datanode1 (192.168.122.31): timed out after 3 s',
      '9042/tcp from kubenode1 to datanode3 (192.168.122.33): timed out after 3 s',
    ]);
    expect(blocked?.fix).toContain('ufw allow from 192.168.122.21 to any port 9042 proto tcp');
    // Blocked is blocked whether or not the service is installed.
    expect(
      rolePortResults('kubenode1', '192.168.122.21', probed(['timed-out', 'open', 'open']), new Set()).map(
        (result) => result.status,
      ),
    ).toEqual(['pass', 'fail']);
  });

  it('no route: a fail pointing at the address and the routes, never a pass', () => {
    const results = rolePortResults(
      'kubenode1',
      '192.168.122.21',
      probed(['unreachable', 'unreachable', 'unreachable']),
      new Set(),
    );
    expect(results.map((result) => result.status)).toEqual(['fail']);
    expect(results[0]?.fix).toContain('ip route get 192.168.122.31');
  });

  it('a blocked target that does not answer SSH either: named as possibly down before any firewall rule', () => {
    const results = rolePortResults(
      'kubenode1',
      '192.168.122.21',
      probed(['timed-out', 'open', 'open']),
      installed,
      new Set(['datanode1']),
    );
    expect(results.map((result) => result.status)).toEqual(['pass', 'fail']);
    const [, blocked] = results;
    expect(blocked?.evidence).toEqual([
      '9042/tcp from kubenode1 to datanode1 (192.168.122.31): timed out after 3 s (datanode1 does not answer SSH either: hosts.reachable)',
    ]);
    expect(blocked?.fix).toMatch(/^first bring datanode1 back \(not reachable over SSH either/);
    expect(blocked?.fix).toContain('ufw allow from 192.168.122.21');
  });
});
