import { describe, expect, it } from 'vitest';
import { WireInstallError } from '../../../src/core/errors.js';
import { databaseSkipReason } from '../../../src/doctor/checks/database-hosts.js';
import {
  databasesCassandra,
  ringResults,
  schemaResult,
} from '../../../src/doctor/checks/databases-cassandra.js';
import { healthResult, nodeResult } from '../../../src/doctor/checks/databases-elasticsearch.js';
import { bucketsResult, minioHostResult } from '../../../src/doctor/checks/databases-minio.js';
import { databasesPostgresql, standbyResult } from '../../../src/doctor/checks/databases-postgresql.js';
import { rabbitResults } from '../../../src/doctor/checks/databases-rabbitmq.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import { NODETOOL } from '../../../src/wire/cassandra.js';
import { demo, production } from '../../support/inventories.js';
import { adminOnlyContext } from './doctor-context.js';

/**
 * The databases group's judgements on what the hosts answered (nodetool, _cluster/health,
 * systemctl and mc, pg_stat_replication, rabbitmqctl), and when the checks apply. The checks on
 * real PostgreSQL and RabbitMQ: test/lab/doctor-databases.test.ts.
 */

describe('when the databases checks apply', () => {
  it('skips in demo mode, before the stage ran, and runs after it', () => {
    expect(databaseSkipReason(adminOnlyContext(demo()), 'rabbitmq', 'databases.rabbitmq-install')).toContain(
      'databases-ephemeral',
    );
    expect(databaseSkipReason(adminOnlyContext(production()), 'rabbitmq', 'databases.rabbitmq-install')).toBe(
      'the rabbitmq stage is not applied yet (databases.rabbitmq-install has not succeeded on every host)',
    );
    const applied = adminOnlyContext(production(), { succeededSteps: ['databases.rabbitmq-install'] });
    expect(databaseSkipReason(applied, 'rabbitmq', 'databases.rabbitmq-install')).toBeUndefined();
  });
});

describe('databases.postgresql with a standby out of reach', () => {
  it("a standby SSH does not reach is judged by the primary's pg_stat_replication, not skipped", async () => {
    const host = (name: string, recovery: string): RemoteHost => ({
      name,
      exec: async (command) => ({
        stdout: command.includes('pg_stat_replication') ? '192.168.122.32 streaming\n' : `${recovery}\n`,
        stderr: '',
        exitCode: 0,
      }),
      close: () => {},
    });
    const context = {
      ...adminOnlyContext(production(), { succeededSteps: ['databases.postgresql-primary'] }),
      hosts: new Map([
        ['datanode1', host('datanode1', 'f')],
        ['datanode2', host('datanode2', 't')],
      ]),
      unreachable: new Map([['datanode3', 'connection timed out']]),
    };
    const results = await databasesPostgresql.run(context);
    expect(results.map((r) => [r.host, r.status])).toEqual([
      ['datanode1', 'pass'],
      ['datanode2', 'pass'],
      ['datanode3', 'fail'],
    ]);
    expect(results[2]).toMatchObject({
      summary: 'datanode3 does not stream from the primary',
      evidence: ['pg_stat_replication on the primary: 192.168.122.32 streaming'],
    });
  });
});

describe('databases.cassandra', () => {
  const expected = [
    { name: 'datanode1', address: '10.0.0.1' },
    { name: 'datanode2', address: '10.0.0.2' },
  ];
  it('passes UN nodes and fails a DN one with its nodetool line', () => {
    const ring = [
      { status: 'U', state: 'N', address: '10.0.0.1', line: 'UN 10.0.0.1 1.2 MiB 256 100.0% a rack1' },
      { status: 'D', state: 'N', address: '10.0.0.2', line: 'DN 10.0.0.2 1.1 MiB 256 100.0% b rack1' },
    ] as const;
    const results = ringResults('datanode1', expected, [...ring]);
    expect(results.map((r) => [r.host, r.status])).toEqual([
      ['datanode1', 'pass'],
      ['datanode2', 'fail'],
    ]);
    expect(results[1]?.summary).toBe('datanode2 (10.0.0.2) is DN, not UN');
    expect(results[1]?.evidence).toEqual([
      'nodetool status on datanode1: DN 10.0.0.2 1.1 MiB 256 100.0% b rack1',
    ]);
  });
  it('a node SSH does not reach is judged by the ring read on another node, not skipped', async () => {
    const inventory = production();
    const answers: Record<string, string> = {
      [`${NODETOOL} status`]: [
        'UN  192.168.122.31  1.2 MiB  256  100.0%  a  rack1',
        'UN  192.168.122.32  1.1 MiB  256  100.0%  b  rack1',
        'DN  192.168.122.33  1.0 MiB  256  100.0%  c  rack1',
      ].join('\n'),
      [`${NODETOOL} describecluster`]:
        'Schema versions:\n\t8a3b2c1d-0000-3000-8000-000000000001: [192.168.122.31, 192.168.122.32]\n\tUNREACHABLE: [192.168.122.33]\n',
    };
    const node = (name: string): RemoteHost => ({
      name,
      exec: async (command) => ({ stdout: answers[command] ?? '', stderr: '', exitCode: 0 }),
      close: () => {},
    });
    const context = {
      ...adminOnlyContext(inventory, { succeededSteps: ['databases.cassandra-start'] }),
      hosts: new Map(['datanode1', 'datanode2'].map((name) => [name, node(name)])),
      unreachable: new Map([['datanode3', 'connection timed out']]),
    };
    const results = await databasesCassandra.run(context);
    expect(results.map((r) => [r.host, r.status])).toEqual([
      ['datanode1', 'pass'],
      ['datanode2', 'pass'],
      ['datanode3', 'fail'],
      [undefined, 'fail'],
    ]);
    expect(results[2]?.summary).toBe('datanode3 (192.168.122.33) is DN, not UN');
    expect(results[2]?.evidence).toEqual([
      'nodetool status on datanode1: DN 192.168.122.33 1.0 MiB 256 100.0% c rack1',
    ]);
  });
  it('fails two schema versions', () => {
    const split = schemaResult(
      'datanode1',
      'Schema versions:\n\t8a3b2c1d-0000-3000-8000-000000000001: [10.0.0.1]\n\t8a3b2c1d-0000-3000-8000-000000000002: [10.0.0.2]\n',
    );
    expect(split.status).toBe('fail');
    expect(split.summary).toContain('2 versions');
    expect(
      schemaResult(
        'datanode1',
        'Schema versions:\n\t8a3b2c1d-0000-3000-8000-000000000001: [10.0.0.1, 10.0.0.2]\n',
      ).status,
    ).toBe('pass');
  });
});

describe('databases.elasticsearch', () => {
  it('passes green with every node, warns yellow, fails a missing node', () => {
    expect(
      healthResult('datanode1', 3, { code: 200, body: '{"status":"green","number_of_nodes":3}' }).status,
    ).toBe('pass');
    expect(
      healthResult('datanode1', 3, { code: 200, body: '{"status":"yellow","number_of_nodes":3}' }).status,
    ).toBe('warn');
    const red = healthResult('datanode1', 3, { code: 200, body: '{"status":"green","number_of_nodes":2}' });
    expect(red).toMatchObject({ status: 'fail', summary: 'the cluster is green with 2 of 3 nodes' });
    const host = production().hosts.find((h) => h.name === 'datanode2');
    if (!host) throw new Error('no datanode2');
    const missing = nodeResult(host, [{ name: 'datanode1', ip: '192.168.122.31' }], 'datanode1');
    expect(missing).toMatchObject({ status: 'fail', host: 'datanode2' });
    expect(nodeResult(host, [{ name: 'datanode2', ip: '192.168.122.32' }], 'datanode1').status).toBe('pass');
  });
});

describe('databases.minio', () => {
  it('fails a host whose second instance is not running, and names missing buckets', () => {
    const servers = new Map([
      ['10.0.0.1:9000', 'online'],
      ['10.0.0.1:9092', 'offline'],
    ]);
    const result = minioHostResult('datanode1', '10.0.0.1', ['active', 'inactive'], servers);
    expect(result).toMatchObject({
      status: 'fail',
      summary: 'MinIO on datanode1: minio-server2.service is inactive',
    });
    expect(
      minioHostResult(
        'datanode1',
        '10.0.0.1',
        ['active', 'active'],
        new Map([
          ['10.0.0.1:9000', 'online'],
          ['10.0.0.1:9092', 'online'],
        ]),
      ).status,
    ).toBe('pass');
    const buckets = bucketsResult('datanode1', ['assets', 'dummy-bucket']);
    expect(buckets).toMatchObject({ status: 'fail', summary: 'buckets missing: public, k8ssandra-backups' });
  });
});

describe('databases.postgresql', () => {
  it('passes a streaming standby, fails one that is not in pg_stat_replication', () => {
    expect(standbyResult('datanode2', '10.0.0.2', ['10.0.0.2 streaming'], 't').status).toBe('pass');
    const catchingUp = standbyResult('datanode2', '10.0.0.2', ['10.0.0.2 catchup'], 't');
    expect(catchingUp.summary).toBe('datanode2 is connected to the primary but catchup, not streaming');
    const down = standbyResult(
      'datanode3',
      '10.0.0.3',
      ['10.0.0.2 streaming'],
      'psql failed: connection refused',
    );
    expect(down).toMatchObject({
      status: 'fail',
      host: 'datanode3',
      evidence: [
        'pg_stat_replication on the primary: 10.0.0.2 streaming',
        'pg_is_in_recovery() on datanode3: psql failed: connection refused',
      ],
    });
  });
});

describe('databases.rabbitmq', () => {
  const hosts = ['datanode1', 'datanode2', 'datanode3'];
  it('fails the node that does not answer, and one outside the cluster the others see', () => {
    const views = new Map([
      ['datanode1', { running: ['rabbit@datanode1', 'rabbit@datanode3'] }],
      [
        'datanode2',
        {
          error: new WireInstallError({ what: 'datanode2: rabbitmqctl cluster_status failed' }),
          service: 'inactive',
        },
      ],
      ['datanode3', { running: ['rabbit@datanode3'] }],
    ]);
    const results = rabbitResults(hosts, views);
    expect(results.map((r) => [r.host, r.status])).toEqual([
      ['datanode1', 'fail'],
      ['datanode2', 'fail'],
      ['datanode3', 'pass'],
    ]);
    expect(results[0]?.summary).toBe('rabbit@datanode1 runs but is not in the cluster that datanode3 sees');
    expect(results[1]?.evidence).toContain('systemctl is-active rabbitmq-server: inactive');
  });
});
