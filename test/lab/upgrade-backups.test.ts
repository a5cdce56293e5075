import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import type { HostFacts } from '../../src/hosts/facts.js';
import { ADMIN_HOST } from '../../src/hosts/local-host.js';
import { aptPackageOperation } from '../../src/operations/apt.js';
import type { WireSecrets } from '../../src/secrets/generate.js';
import { installationArchivePath } from '../../src/upgrade/backups/installation-files.js';
import { manifestPath, readBackupManifest } from '../../src/upgrade/backups/manifest.js';
import { standInBundle } from '../support/bundle.js';
import { standInCassandraTarball } from '../support/stand-in-cassandra.js';
import { finished, type LabWorkspace, labWorkspaceWithBundle } from './lab-cli.js';
import { connectLabHost, labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * The upgrade's backups on lab hosts, through the CLI: `wire-install upgrade --only
 * upgrade-backup` (the installed version is apply's release record; no cluster). Real PostgreSQL and RabbitMQ from the lab's repository, installed by apply's
 * databases stage; Cassandra is the LAB STAND-IN (test/support/stand-in-cassandra.ts: python3
 * scripts in the real layout, whose nodetool snapshot has the node write each keyspace's
 * snapshots/<tag>/ directory with no sstables). The dump is restored into a scratch database,
 * the definitions parsed, the installation archive listed, every manifest entry's checksum
 * compared with the file's, and a second run changes nothing.
 */

const HOSTS = labHosts().slice(0, 5);
const NODES = HOSTS.slice(0, 3);
const [PRIMARY] = HOSTS;
const DATABASES = [
  'preflight.ssh',
  'databases.postgresql-primary',
  'databases.rabbitmq-install',
  'databases.rabbitmq-cluster',
  'databases.cassandra-install',
  'databases.cassandra-start',
  'databases.cassandra-keyspaces',
];
/** The upgrade the runner started (its id is chosen by the first run; read from .wire-install/upgrades/current.json). */
let target = { from: '5.28.0', to: '5.32.0', id: '' };
const backups = () => `/var/backups/wire-install/${target.id}`;
let bundle: string;

const reset = () => freshHosts(HOSTS);

const psql = (database: string, sql: string) =>
  `runuser -u postgres -- psql -X -At -d ${database} -c "${sql}"`;

let workspace: LabWorkspace;
let secrets: WireSecrets;

/** The backup stage through the CLI: `upgrade --only upgrade-backup` (no cluster: the installed version is apply's record). */
async function runBackups(mode: 'apply' | 'plan'): Promise<{ exitCode: number; events: EngineEvent[] }> {
  const run = await runWireCli(workspace, [
    'upgrade',
    '--bundle',
    bundle,
    '--only',
    'upgrade-backup',
    '--confirm-actions',
    ...ALLOW,
    '--json',
    ...(mode === 'plan' ? ['--plan'] : []),
  ]);
  if (mode === 'apply' && run.exitCode === 0)
    target = JSON.parse(
      readFileSync(join(dirname(workspace.inventory), '.wire-install', 'upgrades', 'current.json'), 'utf8'),
    );
  return { exitCode: run.exitCode, events: run.events };
}

const failures = (events: EngineEvent[]) => JSON.stringify(events.filter((e) => e.type === 'failure'));
const sha256Local = (path: string) => execFileSync('sha256sum', [path]).toString().split(' ')[0];

/**
 * The packages apply's databases stage installs, installed first by the same operation on the
 * three nodes at once: the stage installs RabbitMQ one node at a time, which alone would take
 * most of this file's three minutes (databases-rabbitmq.test.ts tests that order).
 */
async function preinstallPackages(): Promise<void> {
  const packages = (index: number) => [
    ...(index === 0 ? ['postgresql'] : []),
    'rabbitmq-server',
    'openjdk-8-jre-headless',
  ];
  await Promise.all(
    NODES.map(async (node, index) => {
      const host = await connectLabHost(node);
      try {
        for (const name of packages(index))
          await aptPackageOperation({ name }).apply({
            host,
            facts: {} as HostFacts,
            changedPaths: new Set(),
          });
      } finally {
        host.close();
      }
    }),
  );
}

beforeAll(async () => {
  await reset();
  bundle = standInBundle({
    'binaries/apache-cassandra-3.11.19-bin.tar.gz': { from: standInCassandraTarball() },
  });
  workspace = labWorkspaceWithBundle(5, bundle);
  secrets = await withSecrets(workspace);
  // What apply's wire-server chart step recorded when it installed 5.28.0 (upgrade reads it).
  mkdirSync(join(dirname(workspace.inventory), '.wire-install', 'releases'), {
    recursive: true,
    mode: 0o700,
  });
  writeFileSync(
    join(dirname(workspace.inventory), '.wire-install', 'releases', 'wire-server.json'),
    JSON.stringify({
      release: 'wire-server',
      chart: 'wire-server',
      namespace: 'default',
      chartVersion: '5.28.0',
    }),
  );
  const apply = async (steps: string[]) => {
    const run = await runWireCli(workspace, ['apply', '--only', steps.join(','), ...ALLOW, '--json']);
    expect(run.exitCode, `${run.stderr}\n${run.stdout.slice(-3000)}`).toBe(0);
  };
  await apply(['preflight.ssh', 'assets', 'bootstrap-host']);
  await preinstallPackages();
  await apply(DATABASES);
  await onHost(
    PRIMARY,
    psql(
      'wire-server',
      "CREATE TABLE backup_probe (v text); INSERT INTO backup_probe VALUES ('before the upgrade')",
    ),
  );
}, 500_000);
afterAll(reset, 120_000);

describe('the upgrade backups on the lab', () => {
  it('plans every backup without writing one', async () => {
    const plan = await runBackups('plan');
    expect(plan.exitCode, failures(plan.events)).toBe(0);
    const planned = finished(plan.events).map((e) => `${e.step} ${e.host} ${e.status}`);
    expect(planned.sort()).toEqual(
      [
        `upgrade.backup-files ${ADMIN_HOST} would-change`,
        ...NODES.map((host) => `upgrade.backup-cassandra ${host.name} would-change`),
        `upgrade.backup-postgresql ${PRIMARY?.name} would-change`,
        `upgrade.backup-rabbitmq ${PRIMARY?.name} would-change`,
      ].sort(),
    );
    expect(await onHost(PRIMARY, 'ls /var/backups/wire-install 2>&1 || true')).toContain(
      'No such file or directory',
    );
  }, 60_000);

  it('dumps PostgreSQL, exports RabbitMQ, archives the snapshots and the files, and records each', async () => {
    const run = await runBackups('apply');
    expect(run.exitCode, failures(run.events)).toBe(0);
    expect(finished(run.events).filter((e) => e.status !== 'changed')).toEqual([]);
    // Only the backups ran: the upgrade stays under way, so the next run keeps its id.
    expect(target).toMatchObject({ from: '5.28.0', to: '5.32.0', status: 'running' });

    // The dump lists the table, and restored into a scratch database it gives the row back.
    const dump = `${backups()}/postgresql-wire-server.dump`;
    expect((await onHost(PRIMARY, `stat -c '%a %U' ${dump} ${backups()}`)).trim().split('\n')).toEqual([
      '600 root',
      '700 root',
    ]);
    expect(await onHost(PRIMARY, `runuser -u postgres -- pg_restore --list < ${dump}`)).toMatch(
      /TABLE public backup_probe /,
    );
    const restored = await onHost(
      PRIMARY,
      [
        'runuser -u postgres -- createdb wil_restore_probe',
        `runuser -u postgres -- pg_restore --no-owner -d wil_restore_probe < ${dump}`,
        psql('wil_restore_probe', 'SELECT v FROM backup_probe'),
        'runuser -u postgres -- dropdb wil_restore_probe',
      ].join(' && '),
    );
    expect(restored.trim()).toBe('before the upgrade');

    // The definitions are JSON with the vhost and wire-server's user.
    const definitions = JSON.parse(await onHost(PRIMARY, `cat ${backups()}/rabbitmq-definitions.json`)) as {
      vhosts: { name: string }[];
      users: { name: string }[];
    };
    expect(definitions.vhosts.map((vhost) => vhost.name)).toContain('/');
    expect(definitions.users.map((user) => user.name)).toEqual([secrets.rabbitmq.username]);

    // Each stand-in node's archive holds the snapshot of every keyspace under the upgrade's tag.
    for (const node of NODES) {
      const listing = await onHost(node, `tar -tzf ${backups()}/cassandra-${node.name}.tar.gz`);
      for (const keyspace of ['brig', 'galley', 'gundeck', 'spar'])
        expect(listing).toMatch(
          new RegExp(`^\\./${keyspace}/[^/]+/snapshots/wire-install-${target.id}/schema\\.cql$`, 'm'),
        );
    }

    // The installation's files: private, with secrets.yaml and the state, without the logs.
    const archive = installationArchivePath(dirname(workspace.inventory), target.id);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(archive)).mode & 0o777).toBe(0o700);
    const members = execFileSync('tar', ['-tzf', archive]).toString().split('\n');
    expect(members).toContain('secrets.yaml');
    expect(members).toContain('inventory.yaml');
    expect(members).toContain('.wire-install/state.json');
    expect(members.filter((name) => /^\.wire-install\/(logs|backups)/.test(name))).toEqual([]);

    // The manifest lists every backup, each checksum the file's own.
    const manifest = await readBackupManifest(manifestPath(dirname(workspace.inventory), target.id));
    expect(manifest?.upgrade).toBe(target.id);
    const entries = manifest?.backups ?? [];
    expect(entries.map((entry) => `${entry.what} ${entry.host}`).sort()).toEqual(
      [
        `installation-files ${ADMIN_HOST}`,
        ...NODES.map((host) => `cassandra-snapshot ${host.name}`),
        `postgresql-dump ${PRIMARY?.name}`,
        `rabbitmq-definitions ${PRIMARY?.name}`,
      ].sort(),
    );
    for (const entry of entries) {
      const host = HOSTS.find((candidate) => candidate.name === entry.host);
      const [sum, bytes] = host
        ? (await onHost(host, `sha256sum ${entry.path} | cut -d' ' -f1; stat -c %s ${entry.path}`))
            .trim()
            .split('\n')
        : [sha256Local(entry.path), String(statSync(entry.path).size)];
      expect(`${entry.path} ${entry.sha256} ${entry.bytes}`).toBe(`${entry.path} ${sum} ${bytes}`);
    }
  }, 90_000);

  it('changes nothing when run again: every backup is current', async () => {
    const before = await onHost(PRIMARY, `stat -c %Y ${backups()}/postgresql-wire-server.dump`);
    const run = await runBackups('apply');
    expect(run.exitCode, failures(run.events)).toBe(0);
    const statuses = finished(run.events).map((e) => e.status);
    expect(statuses).toHaveLength(6);
    expect(new Set(statuses)).toEqual(new Set(['current']));
    expect(await onHost(PRIMARY, `stat -c %Y ${backups()}/postgresql-wire-server.dump`)).toBe(before);
  }, 60_000);
});
