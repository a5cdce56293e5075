import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport, DoctorResult } from '../../src/doctor/types.js';
import { standInBundle } from '../support/bundle.js';
import { standInCassandraTarball } from '../support/stand-in-cassandra.js';
import { type LabWorkspace, labWorkspaceWithBundle } from './lab-cli.js';
import { type LabHost, labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * `doctor --only databases` on the lab: real PostgreSQL (a primary and two streaming standbys)
 * and a real three-node RabbitMQ cluster, applied first through bin/wire-install as
 * databases-postgresql.test.ts and databases-rabbitmq.test.ts do. A healthy installation
 * passes, and so does Cassandra on the LAB STAND-IN tarball (test/support/stand-in-cassandra.ts,
 * as databases-cassandra.test.ts installs it from the asset host). Then one RabbitMQ node, one
 * standby's PostgreSQL and one Cassandra node are stopped, and doctor names exactly those hosts
 * with what it read and the fix (exit 3). Elasticsearch and MinIO were not applied: their
 * checks skip saying so.
 */

const HOSTS = labHosts().slice(0, 5);
const [PRIMARY, STANDBY, THIRD] = HOSTS;
const ONLY = [
  '--only',
  [
    'preflight.ssh',
    'preflight.host-facts',
    'bootstrap-host',
    'databases.postgresql-primary',
    'databases.postgresql-standbys',
    'databases.postgresql-health',
    'databases.rabbitmq-install',
    'databases.rabbitmq-cluster',
    'databases.rabbitmq-health',
    'assets',
    'databases.cassandra-install',
    'databases.cassandra-start',
  ].join(','),
];
const NODES = HOSTS.slice(0, 3);
const reset = () => freshHosts(HOSTS);
let workspace: LabWorkspace;

beforeAll(async () => {
  await reset();
  workspace = labWorkspaceWithBundle(
    5,
    standInBundle({ 'binaries/apache-cassandra-3.11.19-bin.tar.gz': { from: standInCassandraTarball() } }),
  );
  await withSecrets(workspace);
  const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json'], 460_000);
  if (run.exitCode !== 0) throw new Error(`apply failed:\n${run.stderr}\n${run.stdout.slice(-3000)}`);
}, 480_000);
afterAll(reset, 120_000);

async function doctor(): Promise<{ exitCode: number; results: DoctorResult[]; stderr: string }> {
  const run = await runWireCli(workspace, ['doctor', '--only', 'databases', '--json']);
  const report = JSON.parse(run.stdout) as DoctorReport;
  return { exitCode: run.exitCode, results: report.results, stderr: run.stderr };
}

/** The standby's PostgreSQL unit (postgresql@<version>-main.service), found on the host. */
const PG_UNIT =
  "$(systemctl list-units --plain --no-legend --all 'postgresql@*-main.service' | awk '{print $1}')";

const of = (results: DoctorResult[], check: string) =>
  results.filter((r) => r.check === check).map((r) => [r.host, r.status]);

const waitFor = async (host: LabHost | undefined, command: string, expected: RegExp) => {
  let seen = '';
  for (let attempt = 0; attempt < 60 && !expected.test(seen); attempt += 1) {
    seen = await onHost(host, command);
    if (!expected.test(seen)) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(seen).toMatch(expected);
};

describe('doctor --only databases on the lab', () => {
  it('passes PostgreSQL, RabbitMQ and Cassandra as applied, and skips the stages not applied', async () => {
    const run = await doctor();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(of(run.results, 'databases.postgresql')).toEqual([
      [PRIMARY?.name, 'pass'],
      [STANDBY?.name, 'pass'],
      [THIRD?.name, 'pass'],
    ]);
    expect(of(run.results, 'databases.rabbitmq')).toEqual(HOSTS.slice(0, 3).map((h) => [h.name, 'pass']));
    expect(of(run.results, 'databases.cassandra')).toEqual([
      ...NODES.map((h) => [h.name, 'pass']),
      [undefined, 'pass'],
    ]);
    for (const check of ['databases.elasticsearch', 'databases.minio'])
      expect(run.results.find((r) => r.check === check)).toMatchObject({
        status: 'skip',
        summary: expect.stringMatching(/stage is not applied yet \(databases\.\S+ has not succeeded/),
      });
  }, 60_000);

  it('names the stopped RabbitMQ node, the standby whose PostgreSQL is stopped and the Cassandra node down (exit 3)', async () => {
    await onHost(STANDBY, 'systemctl stop rabbitmq-server');
    // Not the seed: the stand-in's other nodes read the ring from the seed (real Cassandra gossips).
    await onHost(THIRD, 'systemctl stop cassandra');
    await onHost(THIRD, `systemctl stop ${PG_UNIT}`);
    expect((await onHost(THIRD, `systemctl is-active ${PG_UNIT}`)).trim()).toBe('inactive');
    try {
      const run = await doctor();
      expect(run.exitCode).toBe(3);
      expect(of(run.results, 'databases.rabbitmq')).toEqual([
        [PRIMARY?.name, 'pass'],
        [STANDBY?.name, 'fail'],
        [THIRD?.name, 'pass'],
      ]);
      const rabbit = run.results.find((r) => r.check === 'databases.rabbitmq' && r.status === 'fail');
      expect(rabbit?.evidence).toContain('systemctl is-active rabbitmq-server: inactive');
      expect(rabbit?.fix).toContain('systemctl start rabbitmq-server');
      const postgres = run.results.filter((r) => r.check === 'databases.postgresql');
      expect(of(run.results, 'databases.postgresql'), JSON.stringify(postgres, null, 1)).toEqual([
        [PRIMARY?.name, 'pass'],
        [STANDBY?.name, 'pass'],
        [THIRD?.name, 'fail'],
      ]);
      const standby = run.results.find((r) => r.check === 'databases.postgresql' && r.status === 'fail');
      expect(standby?.summary).toBe(`${THIRD?.name} does not stream from the primary`);
      expect(standby?.evidence).toEqual([
        `pg_stat_replication on the primary: ${STANDBY?.address} streaming`,
        expect.stringMatching(new RegExp(`^pg_is_in_recovery\\(\\) on ${THIRD?.name}: psql failed: `)),
      ]);
      expect(standby?.fix).toContain(`on ${THIRD?.name}: systemctl status postgresql@*-main`);
      // The first node is asked: it sees the third down, and the third's schema unreachable.
      const cassandra = run.results.filter((r) => r.check === 'databases.cassandra');
      expect(of(run.results, 'databases.cassandra'), JSON.stringify(cassandra, null, 1)).toEqual([
        [PRIMARY?.name, 'pass'],
        [STANDBY?.name, 'pass'],
        [THIRD?.name, 'fail'],
        [undefined, 'fail'],
      ]);
      expect(cassandra[2]?.summary).toBe(`${THIRD?.name} (${THIRD?.address}) is DN, not UN`);
      expect(cassandra[2]?.evidence[0]).toMatch(
        new RegExp(`^nodetool status on ${PRIMARY?.name}: DN ${THIRD?.address} `),
      );
      expect(cassandra[2]?.fix).toContain('systemctl start cassandra.service');
      expect(cassandra[3]?.evidence).toContain(`UNREACHABLE: [${THIRD?.address}]`);
    } finally {
      await onHost(THIRD, 'systemctl start cassandra');
      await onHost(STANDBY, 'systemctl start rabbitmq-server');
      await onHost(THIRD, `systemctl start ${PG_UNIT}`);
    }
    // Back as found: the RabbitMQ node rejoins, the standby streams again, the Cassandra node is UN.
    await waitFor(
      PRIMARY,
      'rabbitmqctl cluster_status --formatter json 2>/dev/null',
      new RegExp(`"running_nodes":\\[[^\\]]*"rabbit@${STANDBY?.name}"`),
    );
    await waitFor(
      PRIMARY,
      `runuser -u postgres -- psql -X -At -c "SELECT host(client_addr) FROM pg_stat_replication"`,
      new RegExp(`^${THIRD?.address?.replace(/\./g, '\\.')}$`, 'm'),
    );
    await waitFor(
      PRIMARY,
      '/opt/apache-cassandra-3.11.19/bin/nodetool status',
      new RegExp(`^UN\\s+${THIRD?.address?.replace(/\./g, '\\.')}\\s`, 'm'),
    );
  }, 90_000);
});
