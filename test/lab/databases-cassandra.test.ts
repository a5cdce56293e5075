import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import { parseNodetoolStatus } from '../../src/wire/cassandra.js';
import { REPLACE_DROP_IN } from '../../src/wire/cassandra-replace.js';
import { standInBundle } from '../support/bundle.js';
import { standInCassandraTarball } from '../support/stand-in-cassandra.js';
import {
  finished,
  type LabRun,
  type LabWorkspace,
  labWorkspaceWithBundle,
  runLabCli,
  started,
  WIRE_CLI,
} from './lab-cli.js';
import { type LabHost, labHosts, spareLabHost } from './lab-hosts.js';
import { freshHosts, labNumber } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * Cassandra on the lab's three cassandra hosts through bin/wire-install, with a stand-in
 * bundle whose binaries hold a LAB STAND-IN Cassandra tarball (test/support/stand-in-cassandra.ts:
 * the real layout, python3 scripts for bin/cassandra, nodetool and cqlsh that read the rendered
 * cassandra.yaml) and the lab repository's stand-in openjdk-8-jre-headless. The tarball comes
 * from the asset host (the fifth host), the nodes start the seed first and one at a time, the
 * keyspaces are created, the health check passes, and fails when a node is stopped. A fault on
 * the second node fails the start naming it; once fixed, the next run resumes after the seed.
 * Then the slot's spare host joins as a fourth node and remove-host takes it out again, twice:
 * decommissioned while it answers, and removed from the ring (removenode) when switched off.
 * A node rebuilt under the same address (lab.sh rebuild) is installed again and replaces its old
 * self (replace_address_first_boot: the stand-in refuses a new node under a known address
 * otherwise, as Cassandra does); and a switched-off node is replaced by the spare with
 * replace-host, which takes over its tokens. Last, the seed is taken out: the next node becomes
 * the seed in a rolling restart (the old seed's cassandra.yaml too), then it is decommissioned.
 */

const HOSTS = labHosts().slice(0, 5);
const NODES = HOSTS.slice(0, 3);
const STEPS = [
  'databases.cassandra-install',
  'databases.cassandra-start',
  'databases.cassandra-keyspaces',
  'databases.cassandra-health',
];
const only = (steps: string[]) => ['--only', `preflight.ssh,assets,bootstrap-host,${steps.join(',')}`];

const LAB = fileURLToPath(new URL('./lab.sh', import.meta.url));
const reset = () => freshHosts([...HOSTS, spareLabHost()]);

const bundle = standInBundle({
  'binaries/apache-cassandra-3.11.19-bin.tar.gz': { from: standInCassandraTarball() },
});

async function newWorkspace(): Promise<LabWorkspace> {
  const workspace = labWorkspaceWithBundle(5, bundle);
  await withSecrets(workspace);
  return workspace;
}

const apply = (workspace: LabWorkspace, steps = STEPS, ...extra: string[]) =>
  runWireCli(workspace, ['apply', ...only(steps), ...ALLOW, '--json', ...extra]);

/** "step-started host" / "step-finished host" of one step, in the order they happened. */
const timeline = (events: EngineEvent[], step: string) =>
  events
    .filter((e) => (e.type === 'step-started' || e.type === 'step-finished') && e.step === step)
    .map((e) => `${e.type} ${'host' in e ? e.host : ''}`);

const nodetool = '/opt/apache-cassandra-3.11.19/bin/nodetool';
const CONF = '/opt/apache-cassandra-3.11.19/conf/cassandra.yaml';

/** The ring as the seed sees it: `UN 10.x.y.z` per member. */
const ring = async () =>
  parseNodetoolStatus(await onHost(NODES[0], `${nodetool} status`)).map(
    (m) => `${m.status}${m.state} ${m.address}`,
  );
const three = NODES.map((host) => `UN ${host.address}`).sort();
const dropIn = REPLACE_DROP_IN;

const output = (run: LabRun) => `${run.stderr}\n${run.stdout.slice(-4000)}`;

beforeAll(reset, 120_000);
afterAll(reset, 120_000);

describe('Cassandra on the lab', () => {
  let workspace: LabWorkspace;

  it('installs from the asset host, starts the seed first and one node at a time, creates the keyspaces', async () => {
    workspace = await newWorkspace();
    // A plan before anything is installed: the checks that cannot run yet are notes, not failures.
    const plan = await apply(workspace, STEPS, '--plan');
    expect(plan.exitCode, output(plan)).toBe(0);
    const run = await apply(workspace);
    expect(run.exitCode, output(run)).toBe(0);

    // Rolling start: each node starts only after the one before it finished, the seed first.
    expect(timeline(run.events, 'databases.cassandra-start')).toEqual(
      NODES.flatMap((host) => [`step-started ${host.name}`, `step-finished ${host.name}`]),
    );
    const second = finished(run.events).find(
      (e) => e.step === 'databases.cassandra-start' && e.host === NODES[1]?.name,
    );
    // The stand-in is UJ while it bootstraps: the step waited until it was UN.
    expect(second?.changes.join('\n')).toMatch(/joined the ring \(UN after [1-9]\d* s\)/);

    // The tarball came through the asset host and was unpacked into the versioned directory.
    const files = await onHost(
      NODES[2],
      'ls /opt/apache-cassandra-3.11.19/bin; stat -c %U /opt/apache-cassandra-3.11.19/bin/cassandra /mnt/cassandra/data; systemctl is-active cassandra; java -version 2>&1',
    );
    expect(files).toContain('cassandra\ncqlsh\nnodetool\n');
    expect(files).toContain('cassandra\ncassandra\nactive\n');
    expect(files).toContain('lab stand-in');

    // The rendered configuration is what the stand-in reads: every node UN in the seed's ring.
    const status = await onHost(NODES[1], `${nodetool} status`);
    for (const host of NODES)
      expect(status).toMatch(new RegExp(`^UN\\s+${host.address.replace(/\./g, '\\.')}\\s`, 'm'));
    const keyspaces = await onHost(
      NODES[2],
      `/opt/apache-cassandra-3.11.19/bin/cqlsh ${NODES[2]?.address} -e 'DESCRIBE KEYSPACES'`,
    );
    for (const name of ['brig', 'galley', 'gundeck', 'spar']) expect(keyspaces).toContain(name);
    const keyspaceStep = finished(run.events).filter((e) => e.step === 'databases.cassandra-keyspaces');
    expect(keyspaceStep.map((e) => e.host)).toEqual([NODES[0]?.name]);
    expect(keyspaceStep[0]?.changes).toContain('create keyspace spar (SimpleStrategy, replication factor 3)');
  }, 120_000);

  it('changes nothing on a second apply; the health check fails when a node is stopped', async () => {
    const run = await apply(workspace);
    expect(run.exitCode, output(run)).toBe(0);
    const cassandra = finished(run.events).filter((e) => e.step.startsWith('databases.cassandra'));
    expect(cassandra.filter((e) => e.status === 'changed')).toEqual([]);
    expect(started(run.events).filter((e) => e.step === 'databases.cassandra-health')).toHaveLength(3);

    await onHost(NODES[2], 'systemctl stop cassandra');
    const down = await runWireCli(workspace, [
      'apply',
      '--only',
      'databases.cassandra-health',
      ...ALLOW,
      '--json',
    ]);
    expect(down.exitCode).toBe(1);
    const failure = down.events.find((e) => e.type === 'failure' && e.host === NODES[0]?.name);
    expect(JSON.stringify(failure)).toContain(`${NODES[2]?.name} (${NODES[2]?.address}) is DN, not UN`);
    await onHost(NODES[2], 'systemctl start cassandra');
  }, 90_000);

  it('fails the start naming the host with a broken data dir; fixed, the next run resumes after the seed', async () => {
    // A fresh state file: every step runs again, the seed keeps running (its start is unchanged).
    workspace = await newWorkspace();
    await onHost(NODES[2], 'systemctl stop cassandra');
    // The fault: the second node's system keyspace directory is not writable for the cassandra user
    // (install sets the data directories' modes again, not what Cassandra keeps inside them).
    await onHost(NODES[1], 'systemctl stop cassandra && chmod 000 /mnt/cassandra/data/system');

    const broken = await apply(workspace);
    expect(broken.exitCode).toBe(1);
    const failure = broken.events.find((e) => e.type === 'failure');
    expect(failure).toMatchObject({ host: NODES[1]?.name, step: 'databases.cassandra-start' });
    expect(JSON.stringify(failure)).toContain('journalctl -u cassandra.service');
    expect(JSON.stringify(failure)).toContain(
      'Insufficient permissions on directory /mnt/cassandra/data/system',
    );
    // The third node was not started after the second failed.
    expect(timeline(broken.events, 'databases.cassandra-start')).toEqual([
      `step-started ${NODES[0]?.name}`,
      `step-finished ${NODES[0]?.name}`,
      `step-started ${NODES[1]?.name}`,
      `step-finished ${NODES[1]?.name}`,
    ]);
    const seedSince = await onHost(NODES[0], 'systemctl show -p ActiveEnterTimestampMonotonic cassandra');

    await onHost(NODES[1], 'chmod 755 /mnt/cassandra/data/system');
    const resumed = await apply(workspace);
    expect(resumed.exitCode, output(resumed)).toBe(0);
    const starts = finished(resumed.events).filter((e) => e.step === 'databases.cassandra-start');
    expect(starts.map((e) => e.host)).toEqual(NODES.map((host) => host.name));
    expect(starts[0]?.status).toBe('current');
    // The second ran again (systemd may have restarted it on its own once the fault was gone).
    expect(['changed', 'unchanged']).toContain(starts[1]?.status);
    expect(starts[2]?.status).toBe('changed');
    // The seed was not restarted.
    expect(await onHost(NODES[0], 'systemctl show -p ActiveEnterTimestampMonotonic cassandra')).toBe(
      seedSince,
    );
    expect(finished(resumed.events).find((e) => e.step === 'databases.cassandra-health')?.status).not.toBe(
      'failed',
    );
  }, 150_000);
  it('takes a fourth node out with remove-host: decommissioned when it answers, removenode when it is off', async () => {
    const fourth = spareLabHost();
    const grow = async () => {
      await freshHosts([fourth]);
      writeFileSync(
        workspace.inventory,
        `${readFileSync(workspace.inventory, 'utf8').trimEnd()}\n  - { name: ${fourth.name}, address: ${fourth.address}, roles: [cassandra] }\n`,
      );
      const grown = await apply(workspace);
      expect(grown.exitCode, output(grown)).toBe(0);
      expect(await ring()).toContain(`UN ${fourth.address}`);
    };
    const removeHost = (...args: string[]) =>
      runLabCli(workspace, ['remove-host', fourth.name, ...args], WIRE_CLI);
    const changed = (run: LabRun) =>
      finished(run.events)
        .filter((e) => e.status === 'changed' && e.step.startsWith('remove-host.'))
        .map((e) => `${e.step} ${e.host}`);

    // It answers: nodetool decommission on it, then its service stopped and disabled.
    await grow();
    const decommissioned = await removeHost('--confirm', fourth.name, '--json');
    expect(decommissioned.exitCode, output(decommissioned)).toBe(0);
    expect(changed(decommissioned)).toEqual([`remove-host.cassandra-decommission ${fourth.name}`]);
    expect((await ring()).sort()).toEqual(three);
    expect(await onHost(fourth, 'systemctl is-active cassandra; systemctl is-enabled cassandra')).toBe(
      'inactive\ndisabled\n',
    );
    expect(readFileSync(workspace.inventory, 'utf8')).not.toMatch(new RegExp(`\\b${fourth.name}\\b`));

    // Added again, then switched off: removed from the ring by nodetool removenode on a node that stays.
    await grow();
    execFileSync('bash', [LAB, 'poweroff', labNumber(fourth)], { timeout: 60_000 });
    const plan = await removeHost('--plan');
    expect(plan.stdout).toContain(
      `${fourth.name} does not answer: on ${NODES[0]?.name}, nodetool removenode`,
    );
    const removed = await removeHost('--confirm', fourth.name, '--json');
    expect(removed.exitCode, output(removed)).toBe(0);
    expect(changed(removed)).toEqual([`remove-host.cassandra-removenode ${NODES[0]?.name}`]);
    expect((await ring()).sort()).toEqual(three);
  }, 300_000);

  it('installs a host rebuilt under the same address again: it replaces its old self in the ring', async () => {
    const rebuilt = NODES[1] as LabHost;
    const ids = async () =>
      Object.fromEntries(
        (await onHost(NODES[0], `${nodetool} status`))
          .split('\n')
          .filter((line) => /^[UD][NJ] /.test(line))
          .map((line) => [line.split(/\s+/)[1], /[0-9a-f-]{36}/.exec(line)?.[0]]),
      );
    const before = await ids();
    execFileSync('bash', [LAB, 'rebuild', labNumber(rebuilt)], { timeout: 120_000 });
    // The operator checks the new host key, as the refusal of the changed key asks (test/lab/drift.test.ts).
    execFileSync('ssh-keygen', ['-R', rebuilt.address, '-f', join(workspace.home, '.ssh', 'known_hosts')], {
      stdio: 'ignore',
    });
    const run = await apply(workspace);
    expect(run.exitCode, output(run)).toBe(0);
    expect(run.events.filter((e) => e.type === 'host-replaced').map((e) => e.host)).toEqual([rebuilt.name]);
    const start = run.events.find(
      (e) => e.type === 'step-finished' && e.step === 'databases.cassandra-start' && e.host === rebuilt.name,
    );
    expect(JSON.stringify(start)).toContain(`replace this node's old self at ${rebuilt.address}`);
    // The same three nodes, all UN; the rebuilt one kept its host ID (it took over its tokens).
    expect(await ids()).toEqual(before);
    expect((await ring()).sort()).toEqual(three);
    expect(await onHost(rebuilt, `test -e ${dropIn} && echo left || echo gone`)).toBe('gone\n');
  }, 300_000);

  it('replaces a switched-off node with replace-host: the new host takes over its tokens', async () => {
    const old = NODES[2] as LabHost;
    const fresh = spareLabHost();
    await freshHosts([fresh]);
    // The lab inventory gives every node all of Wire's roles; only Cassandra runs on them here,
    // and replace-host refuses the others (a lost control plane, Elasticsearch, MinIO): the old
    // node carries only cassandra, as the new one does.
    const text = readFileSync(workspace.inventory, 'utf8').replace(
      new RegExp(`(name: ${old.name}, .*roles: \\[)[^\\]]*`),
      '$1cassandra',
    );
    writeFileSync(
      workspace.inventory,
      `${text.trimEnd()}\n  - { name: ${fresh.name}, address: ${fresh.address}, roles: [cassandra] }\n`,
    );
    execFileSync('bash', [LAB, 'poweroff', labNumber(old)], { timeout: 60_000 });
    const replaceHost = (...args: string[]) =>
      runLabCli(
        workspace,
        ['replace-host', old.name, '--with', fresh.name, '--only', only(STEPS)[1] as string, ...args],
        WIRE_CLI,
      );
    const plan = await replaceHost('--plan');
    expect(plan.exitCode, output(plan)).toBe(0);
    expect(plan.stdout).toContain(`replace_address_first_boot=${old.address}`);
    const run = await replaceHost('--confirm', old.name, '--json');
    expect(run.exitCode, output(run)).toBe(0);
    const changed = finished(run.events)
      .filter((e) => e.status === 'changed')
      .map((e) => `${e.step} ${e.host}`);
    expect(changed).toContain(`replace-host.cassandra-replace-address ${fresh.name}`);
    expect(changed).toContain(`databases.cassandra-start ${fresh.name}`);
    expect(changed.filter((line) => line.startsWith('remove-host.'))).toEqual([]);
    expect((await ring()).sort()).toEqual(
      [NODES[0], NODES[1], fresh].map((host) => `UN ${host?.address}`).sort(),
    );
    expect(await onHost(fresh, `journalctl -u cassandra -o cat | grep -c 'Replacing /${old.address}'`)).toBe(
      '1\n',
    );
    expect(await onHost(fresh, `test -e ${dropIn} && echo left || echo gone`)).toBe('gone\n');
    const inventory = readFileSync(workspace.inventory, 'utf8');
    expect(inventory).not.toMatch(new RegExp(`\\b${old.name}\\b`));
    expect(inventory).toMatch(new RegExp(`\\b${fresh.name}\\b`));
  }, 300_000);

  it('takes the seed out: the next node becomes the seed in a rolling restart, then the old seed is decommissioned', async () => {
    const seed = NODES[0] as LabHost;
    const next = NODES[1] as LabHost;
    const fourth = HOSTS[3] as LabHost;
    const roles = (host: LabHost, list: string) => {
      const text = readFileSync(workspace.inventory, 'utf8');
      writeFileSync(
        workspace.inventory,
        text.replace(new RegExp(`(name: ${host.name}, .*roles: \\[)[^\\]]*`), `$1${list}`),
      );
    };
    // A fourth node, so that three are left (the replication factor): the slot's fourth host,
    // which carries only a worker role in the lab inventory, gets the roles of the node
    // replace-host took out (apply checks Wire's counts of every role; only Cassandra runs here).
    roles(fourth, 'kube-control-plane, kube-worker, cassandra, elasticsearch, minio, postgresql, rabbitmq');
    const grown = await apply(workspace);
    expect(grown.exitCode, output(grown)).toBe(0);
    // The seed carries only Cassandra from here: remove-host would refuse its other roles (MinIO).
    roles(seed, 'cassandra');
    const run = await runLabCli(
      workspace,
      ['remove-host', seed.name, '--confirm', seed.name, '--json'],
      WIRE_CLI,
    );
    expect(run.exitCode, output(run)).toBe(0);
    // The rolling restart, one node at a time in the order of the inventory, the old seed last; then it leaves.
    expect(
      timeline(run.events, 'databases.cassandra-start').filter((line) => line.startsWith('step-started')),
    ).toEqual([next, fourth, spareLabHost(), seed].map((host) => `step-started ${host.name}`));
    expect(
      finished(run.events)
        .filter((e) => e.status === 'changed' && e.step.startsWith('remove-host.'))
        .map((e) => `${e.step} ${e.host}`),
    ).toEqual([`remove-host.cassandra-decommission ${seed.name}`]);
    for (const host of [next, fourth])
      expect(await onHost(host, `grep -- '- seeds:' ${CONF}`)).toContain(`"${next.address}"`);
    const ringFromNext = parseNodetoolStatus(await onHost(next, `${nodetool} status`))
      .map((m) => `${m.status}${m.state} ${m.address}`)
      .sort();
    expect(ringFromNext).toEqual([next, spareLabHost(), fourth].map((host) => `UN ${host.address}`).sort());
    expect(await onHost(seed, 'systemctl is-enabled cassandra')).toBe('disabled\n');
  }, 300_000);
});
