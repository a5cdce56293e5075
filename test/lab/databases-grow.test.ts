import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, type LabWorkspace, labWorkspace } from './lab-cli.js';
import { type LabHost, labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * A host added to a running installation (issue 17): PostgreSQL and RabbitMQ run on labhost1-3
 * by Wire's stages; then a sixth lab host (test/lab/lab.sh add) is added to the inventory with
 * the postgresql and rabbitmq roles, and the next apply makes it a streaming standby and a
 * cluster node, the others keeping their data. Real packages, services and replication.
 */

const LAB = fileURLToPath(new URL('./lab.sh', import.meta.url));
const HOSTS = labHosts().slice(0, 5);
const [PRIMARY] = HOSTS;
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
let added: LabHost;

beforeAll(async () => {
  await freshHosts(HOSTS);
  const name = execFileSync('bash', [LAB, 'add'], { encoding: 'utf8', timeout: 120_000 }).trim();
  added = labHosts().find((host) => host.name === name) as LabHost;
  workspace = labWorkspace(5);
  await withSecrets(workspace);
}, 180_000);
afterAll(async () => {
  await freshHosts(HOSTS);
  if (added) execFileSync('bash', [LAB, 'remove', added.name.replace('labhost', '')], { timeout: 60_000 });
}, 180_000);

describe('a host added to a running installation', () => {
  it('installs PostgreSQL and RabbitMQ on the first three hosts', async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json'], 300_000);
    expect(run.exitCode, run.stderr).toBe(0);
    await onHost(
      PRIMARY,
      psql("CREATE TABLE lab_grow (v text); INSERT INTO lab_grow VALUES ('before the new host')"),
    );
  }, 300_000);

  it('makes the new host a streaming standby and a RabbitMQ node; the others keep their data', async () => {
    const inventory = readFileSync(workspace.inventory, 'utf8');
    writeFileSync(
      workspace.inventory,
      `${inventory.trimEnd()}\n  - { name: ${added.name}, address: ${added.address}, roles: [postgresql, rabbitmq] }\n`,
    );
    // The lab's known_hosts as the workspace was made did not know the new host yet.
    writeFileSync(
      `${workspace.home}/.ssh/known_hosts`,
      readFileSync('/run/wire-install-lab/known_hosts', 'utf8'),
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
});
