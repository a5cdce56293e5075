import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, type LabWorkspace, labWorkspace, runLabCli, WIRE_CLI } from './lab-cli.js';
import { type LabHost, labHosts, spareLabHost } from './lab-hosts.js';
import { freshHosts, labNumber } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * Hosts added to and taken out of a running installation (issue 17): PostgreSQL and RabbitMQ
 * run on the first three hosts by Wire's stages; then the slot's spare host (test/lab/lab-hosts.ts)
 * is added to the inventory with the postgresql and rabbitmq roles, and the next apply makes it a
 * streaming standby and a cluster node, the others keeping their data. Then the primary, the
 * first host, is switched off (lab.sh poweroff: no shutdown) and `remove-host` of it promotes the
 * standby that received the most WAL, the others follow it, no committed row is lost, and
 * RabbitMQ forgets the node. Real packages, services, replication and failover.
 *
 * The first host carries only postgresql and rabbitmq here (the other roles of Wire's layout are
 * on hosts 2-4), so remove-host has no other role of it to refuse.
 */

const LAB = fileURLToPath(new URL('./lab.sh', import.meta.url));
const HOSTS = labHosts().slice(0, 5);
const PRIMARY = HOSTS[0] as LabHost;
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
  ].join(','),
];
const psql = (sql: string) => `runuser -u postgres -- psql -X -At -d wire-server -c "${sql}"`;
let workspace: LabWorkspace;
const added = spareLabHost();
/** A host's name as a whole word (labhost1 must not match labhost12). */
const named = (name: string) => new RegExp(`\\b${name}\\b`);

beforeAll(async () => {
  await freshHosts([...HOSTS, added]);
  // The first host: the databases that remove-host takes out; Wire's other roles on hosts 2-4.
  const roles = (host: number, roles: string) =>
    new RegExp(`(name: ${HOSTS[host]?.name}, .*roles: \\[)${roles}`);
  workspace = labWorkspace(5, (text) =>
    text
      .replace(roles(0, '[^\\]]*'), '$1postgresql, rabbitmq')
      .replace(roles(2, 'kube-control-plane, '), '$1')
      .replace(roles(3, 'kube-worker'), '$1kube-worker, cassandra, elasticsearch, minio'),
  );
  await withSecrets(workspace);
}, 180_000);
afterAll(async () => {
  await freshHosts([...HOSTS, added]);
}, 180_000);

describe('a host added to a running installation', () => {
  it('installs PostgreSQL and RabbitMQ on the first three hosts', async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json'], 480_000);
    expect(run.exitCode, run.stderr).toBe(0);
    await onHost(
      PRIMARY,
      psql("CREATE TABLE lab_grow (v text); INSERT INTO lab_grow VALUES ('before the new host')"),
    );
  }, 500_000);

  it('makes the new host a streaming standby and a RabbitMQ node; the others keep their data', async () => {
    const inventory = readFileSync(workspace.inventory, 'utf8');
    writeFileSync(
      workspace.inventory,
      `${inventory.trimEnd()}\n  - { name: ${added.name}, address: ${added.address}, roles: [postgresql, rabbitmq] }\n`,
    );
    const plan = await runWireCli(workspace, ['apply', '--plan', ...ONLY, ...ALLOW, '--json']);
    expect(plan.exitCode, JSON.stringify(plan.events.filter((e) => e.type === 'failure'))).toBe(0);
    const planned = finished(plan.events).filter((e) => e.host === added.name && e.status === 'would-change');
    expect(planned.map((e) => e.step)).toContain('databases.postgresql-standbys');
    expect(planned.map((e) => e.step)).toContain('databases.rabbitmq-install');

    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json'], 300_000);
    expect(run.exitCode, JSON.stringify(run.events.filter((e) => e.type === 'failure'))).toBe(0);

    const replication = await onHost(
      PRIMARY,
      `runuser -u postgres -- psql -X -At -c "SELECT host(client_addr) || ' ' || state FROM pg_stat_replication ORDER BY 1"`,
    );
    expect(replication).toContain(`${added.address} streaming`);
    expect((await onHost(added, `${psql('SELECT v FROM lab_grow')} 2>/dev/null`)).trim()).toBe(
      'before the new host',
    );
    const status = JSON.parse(
      await onHost(added, 'rabbitmqctl cluster_status --formatter json 2>/dev/null'),
    ) as { running_nodes: string[] };
    expect([...status.running_nodes].sort()).toEqual(
      [...HOSTS.slice(0, 3), added].map((host) => `rabbit@${host.name}`).sort(),
    );
  }, 400_000);
  it('takes out a switched-off primary: the most advanced standby is promoted, the others follow, no row is lost', async () => {
    // Rows committed on the primary, and seen by every standby (asynchronous replication: a
    // row the standbys never received would be lost with the primary; docs/remove-host.md).
    await onHost(
      PRIMARY,
      psql('CREATE TABLE lab_failover (n int); INSERT INTO lab_failover SELECT generate_series(1, 1000)'),
    );
    const caughtUp = psql(
      'SELECT count(*) FROM pg_stat_replication WHERE replay_lsn >= pg_current_wal_lsn()',
    );
    for (let tries = 0; (await onHost(PRIMARY, caughtUp)).trim() !== '3'; tries += 1) {
      if (tries > 100) throw new Error('the standbys did not catch up with the primary');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    execFileSync('bash', [LAB, 'poweroff', labNumber(PRIMARY)], { timeout: 60_000 });

    const removeHost = (...args: string[]) =>
      runLabCli(workspace, ['remove-host', PRIMARY.name, ...args], WIRE_CLI, 300_000);
    const plan = await removeHost('--plan');
    expect(plan.exitCode, plan.stderr + plan.stdout).toBe(0);
    expect(plan.stdout).toMatch(/promote labhost\d+ to primary/);
    expect(plan.stdout).toMatch(named(`forget_cluster_node rabbit@${PRIMARY.name}`));
    expect(readFileSync(workspace.inventory, 'utf8')).toMatch(named(PRIMARY.name));

    const run = await removeHost('--confirm', PRIMARY.name, '--json');
    expect(run.exitCode, run.stderr + run.stdout.slice(-4000)).toBe(0);
    const promoted = run.events.find(
      (e) => e.type === 'step-finished' && e.step === 'remove-host.postgresql-promote',
    );
    const primary = [...HOSTS.slice(1, 3), added].find(
      (host) => host.name === (promoted as { host?: string })?.host,
    );
    expect(primary, JSON.stringify(promoted)).toBeDefined();
    expect((await onHost(primary, psql('SELECT pg_is_in_recovery()'))).trim()).toBe('f');
    expect((await onHost(primary, psql('SELECT count(*) FROM lab_failover'))).trim()).toBe('1000');
    await onHost(primary, psql('INSERT INTO lab_failover VALUES (1001)'));
    // The two other standbys stream from the new primary and receive the new row.
    const others = [...HOSTS.slice(1, 3), added].filter((host) => host !== primary);
    const streaming = await onHost(
      primary,
      psql("SELECT host(client_addr) || ' ' || state FROM pg_stat_replication ORDER BY 1"),
    );
    expect(streaming.trim().split('\n').sort()).toEqual(
      others.map((host) => `${host.address} streaming`).sort(),
    );
    for (const standby of others) {
      let count = '';
      for (let tries = 0; tries < 50 && count !== '1001'; tries += 1) {
        count = (await onHost(standby, psql('SELECT count(*) FROM lab_failover'))).trim();
        if (count !== '1001') await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(count, standby.name).toBe('1001');
    }

    // RabbitMQ forgot the node; the three left are the cluster.
    const status = JSON.parse(
      await onHost(HOSTS[1], 'rabbitmqctl cluster_status --formatter json 2>/dev/null'),
    ) as { disk_nodes: string[]; running_nodes: string[] };
    const left = [...HOSTS.slice(1, 3), added].map((host) => `rabbit@${host.name}`).sort();
    expect([...status.disk_nodes].sort()).toEqual(left);
    expect([...status.running_nodes].sort()).toEqual(left);

    // The records: the inventory (the new primary first among the postgresql hosts) and the state.
    const inventory = readFileSync(workspace.inventory, 'utf8');
    expect(inventory).not.toMatch(named(PRIMARY.name));
    const pgHosts = inventory
      .split('\n')
      .filter((line) => line.includes('postgresql'))
      .map((line) => /name: (\S+),/.exec(line)?.[1]);
    expect(pgHosts[0]).toBe(primary?.name);
    expect(readFileSync(`${workspace.dir}/.wire-install/state.json`, 'utf8')).not.toMatch(
      named(PRIMARY.name),
    );
    // Taken out once: a second run names the host as unknown.
    const again = await removeHost('--plan');
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`${PRIMARY.name} is not a host of`);
  }, 400_000);
});
