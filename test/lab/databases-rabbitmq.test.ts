import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireSecrets } from '../../src/secrets/generate.js';
import { finished, type LabWorkspace, labWorkspace, started } from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * A three-node RabbitMQ cluster on the lab's rabbitmq hosts (labhost1-3), by Wire's stages
 * through bin/wire-install: the real rabbitmq-server from the lab's repository, the Erlang
 * cookie and user from secrets.yaml, nodes started one at a time, and the cluster verified by
 * rabbitmqctl cluster_status. A second apply changes nothing.
 */

const HOSTS = labHosts().slice(0, 5);
const RABBITS = HOSTS.slice(0, 3);
const ONLY = [
  '--only',
  'preflight.ssh,preflight.host-facts,bootstrap-host,databases.rabbitmq-install,databases.rabbitmq-cluster,databases.rabbitmq-health',
];
let workspace: LabWorkspace;
let secrets: WireSecrets;

beforeAll(async () => {
  await freshHosts(HOSTS);
  workspace = labWorkspace(5);
  secrets = await withSecrets(workspace);
}, 120_000);
afterAll(() => freshHosts(HOSTS), 120_000);

describe('RabbitMQ on the lab', () => {
  it('forms a three-node cluster, one node at a time, with the user from secrets.yaml', async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    // Serial: each node starts only after the one before it finished.
    const installs = run.events.filter(
      (e) =>
        (e.type === 'step-started' || e.type === 'step-finished') && e.step === 'databases.rabbitmq-install',
    );
    expect(installs.map((e) => `${e.type} ${'host' in e ? e.host : ''}`)).toEqual(
      RABBITS.flatMap((host) => [`step-started ${host.name}`, `step-finished ${host.name}`]),
    );
    const status = JSON.parse(
      await onHost(RABBITS[2], 'rabbitmqctl cluster_status --formatter json 2>/dev/null'),
    ) as { running_nodes: string[] };
    expect([...status.running_nodes].sort()).toEqual(RABBITS.map((host) => `rabbit@${host.name}`));
    const users = await onHost(RABBITS[1], 'rabbitmqctl list_users --quiet --no-table-headers');
    expect(users).toContain(secrets.rabbitmq.username);
    expect(users).not.toMatch(/^guest/m);
    // The password works, given on stdin (it never goes on a command line).
    const login = await onHost(
      RABBITS[0],
      `rabbitmqctl authenticate_user '${secrets.rabbitmq.username}' >/dev/null 2>&1 && echo ok`,
      `${secrets.rabbitmq.password}\n`,
    );
    expect(login.trim()).toBe('ok');
  }, 300_000);

  it('changes nothing on a second apply, and the health check asks the cluster again', async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const rabbit = finished(run.events).filter((e) => e.step.startsWith('databases.rabbitmq'));
    expect(rabbit.filter((e) => e.status === 'changed')).toEqual([]);
    expect(started(run.events).map((e) => e.step)).toContain('databases.rabbitmq-health');
  }, 60_000);
});
