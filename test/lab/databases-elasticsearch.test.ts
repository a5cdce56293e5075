import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standInBundle } from '../support/bundle.js';
import { standInElasticsearchFiles } from '../support/stand-in-elasticsearch.js';
import {
  finished,
  type LabRun,
  type LabWorkspace,
  labWorkspaceWithBundle,
  runLabCli,
  started,
  WIRE_CLI,
} from './lab-cli.js';
import { labHosts, spareLabHost } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * Elasticsearch on the lab's three elasticsearch hosts through bin/wire-install, with a stand-in
 * bundle whose binaries.tar holds a LAB STAND-IN elasticsearch-oss 6.8.23 .deb
 * (test/support/stand-in-elasticsearch.ts: the real package's paths and unit, a python3 server
 * that reads the rendered elasticsearch.yml and asks the other nodes for the health) and the lab
 * repository's stand-in openjdk-8-jre-headless. The .deb comes from the asset host (the fifth
 * host); the cluster reports three nodes; a second apply changes nothing; a stopped node makes
 * the health step fail with a finding that names it. Then the slot's spare host joins as a fourth
 * node, and remove-host takes it out again: its shards moved off (the stand-in holds a shard copy
 * per node and relocates it once the node's address is excluded), its service stopped, the
 * exclusion lifted, the three left rewritten and green.
 */

const HOSTS = labHosts().slice(0, 5);
const NODES = HOSTS.slice(0, 3);
const STEPS = 'databases.elasticsearch-install,databases.elasticsearch-health';

const reset = () => freshHosts([...HOSTS, spareLabHost()]);

const bundle = standInBundle(standInElasticsearchFiles());
let workspace: LabWorkspace;

const apply = (only: string, ...extra: string[]) =>
  runWireCli(workspace, ['apply', '--only', only, ...ALLOW, '--json', ...extra]);
const output = (run: LabRun) => `${run.stderr}\n${run.stdout.slice(-4000)}`;
const health = (host = NODES[0]) =>
  onHost(
    host,
    `python3 -c 'import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).read().decode())' http://${host?.address}:9200/_cluster/health`,
  );

beforeAll(async () => {
  await reset();
  workspace = labWorkspaceWithBundle(5, bundle);
  await withSecrets(workspace);
}, 120_000);
afterAll(reset, 120_000);

describe('Elasticsearch on the lab', () => {
  it('installs the bundle .deb on Java from apt, forms a three-node cluster, and the health check passes', async () => {
    // A plan before anything is installed: what cannot be checked yet is a note, not a failure.
    const plan = await apply(`preflight.ssh,assets,bootstrap-host,${STEPS}`, '--plan');
    expect(plan.exitCode, output(plan)).toBe(0);
    expect(finished(plan.events).find((e) => e.step === 'databases.elasticsearch-health')?.status).not.toBe(
      'failed',
    );
    const began = Date.now();
    const run = await apply(`preflight.ssh,assets,bootstrap-host,${STEPS}`);
    expect(run.exitCode, output(run)).toBe(0);
    console.log(`first apply: ${Date.now() - began} ms`);
    for (const node of NODES) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not JavaScript's
      expect(await onHost(node, "dpkg-query -W -f='${Version}' elasticsearch-oss")).toBe('6.8.23');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not JavaScript's
      expect(await onHost(node, "dpkg-query -W -f='${Status}' openjdk-8-jre-headless")).toBe(
        'install ok installed',
      );
      expect(await onHost(node, 'systemctl is-active elasticsearch')).toBe('active\n');
      const yml = await onHost(node, 'cat /etc/elasticsearch/elasticsearch.yml');
      expect(yml).toContain(`network.host: ${node.address}\n`);
      expect(yml).toContain(`node.name: ${node.name}\n`);
      expect(yml).toContain(
        `discovery.zen.ping.unicast.hosts: [${NODES.map((n) => `"${n.address}"`).join(', ')}]`,
      );
      const jvm = await onHost(node, "grep -E '^-Xm[sx]' /etc/elasticsearch/jvm.options");
      const [xms, xmx] = jvm.trim().split('\n');
      expect(xms?.slice(4)).toBe(xmx?.slice(4));
    }
    // Asked on the third node: the cluster has every node.
    expect(JSON.parse(await health(NODES[2]))).toMatchObject({ status: 'green', number_of_nodes: 3 });
    const checked = finished(run.events).find((e) => e.step === 'databases.elasticsearch-health');
    expect(checked?.host).toBe(NODES[0]?.name);
  }, 180_000);

  it('changes nothing on a second apply, and asks the cluster again', async () => {
    // Forced: every operation looks at the host again instead of trusting the checkpoint.
    const run = await apply(
      `preflight.ssh,bootstrap-host,${STEPS}`,
      '--force',
      'databases.elasticsearch-install',
    );
    expect(run.exitCode, output(run)).toBe(0);
    const es = finished(run.events).filter((e) => e.step.startsWith('databases.elasticsearch'));
    expect(es.filter((e) => e.status === 'changed')).toEqual([]);
    const install = es.filter((e) => e.step === 'databases.elasticsearch-install');
    expect(install.map((e) => e.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(started(run.events).map((e) => e.step)).toContain('databases.elasticsearch-health');
  }, 90_000);

  it('fails the health check when a node is stopped, naming it', async () => {
    const stopped = NODES[2];
    await onHost(stopped, 'systemctl stop elasticsearch');
    const began = Date.now();
    const run = await apply('preflight.ssh,databases.elasticsearch-health');
    console.log(`health check with a stopped node: ${Date.now() - began} ms`);
    expect(run.exitCode).not.toBe(0);
    const failed = finished(run.events).find((e) => e.step === 'databases.elasticsearch-health');
    expect(failed?.status).toBe('failed');
    expect(output(run)).toContain(
      `Elasticsearch nodes not in the cluster: ${stopped?.name} (${stopped?.address})`,
    );
    await onHost(stopped, 'systemctl start elasticsearch');
  }, 90_000);

  it('a fourth node joins; remove-host moves its shards off, stops it, and the three left are green', async () => {
    const fourth = spareLabHost();
    await freshHosts([fourth]);
    writeFileSync(
      workspace.inventory,
      `${readFileSync(workspace.inventory, 'utf8').trimEnd()}\n  - { name: ${fourth.name}, address: ${fourth.address}, roles: [elasticsearch] }\n`,
    );
    const grown = await apply(`preflight.ssh,assets,bootstrap-host,${STEPS}`);
    expect(grown.exitCode, output(grown)).toBe(0);
    expect(JSON.parse(await health()).number_of_nodes).toBe(4);

    const removed = await runLabCli(
      workspace,
      ['remove-host', fourth.name, '--confirm', fourth.name, '--json'],
      WIRE_CLI,
    );
    expect(removed.exitCode, output(removed)).toBe(0);
    const changed = finished(removed.events)
      .filter((e) => e.status === 'changed')
      .map((e) => `${e.step} ${e.host}`);
    expect(changed.filter((line) => line.startsWith('remove-host.'))).toEqual([
      `remove-host.elasticsearch-exclude ${NODES[0]?.name}`,
      `remove-host.elasticsearch-stop ${fourth.name}`,
      `remove-host.elasticsearch-clear-exclusion ${NODES[0]?.name}`,
    ]);
    const exclude = finished(removed.events).find((e) => e.step === 'remove-host.elasticsearch-exclude');
    expect(exclude?.changes).toEqual([
      `exclude ${fourth.address} from shard allocation (cluster.routing.allocation.exclude._ip)`,
      `wait until no shard is left on ${fourth.name}`,
    ]);
    // The three left: their configuration without the fourth, green with three nodes.
    expect(changed).toEqual(
      expect.arrayContaining(NODES.map((n) => `databases.elasticsearch-install ${n.name}`)),
    );
    const after = JSON.parse(await health());
    expect([after.status, after.number_of_nodes]).toEqual(['green', 3]);
    expect(await onHost(NODES[1], 'grep unicast /etc/elasticsearch/elasticsearch.yml')).not.toContain(
      fourth.address,
    );
    expect(
      await onHost(fourth, 'systemctl is-active elasticsearch; systemctl is-enabled elasticsearch'),
    ).toBe('inactive\ndisabled\n');
    const settings = await onHost(
      NODES[2],
      `python3 -c 'import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).read().decode())' "http://${NODES[2]?.address}:9200/_cluster/settings?flat_settings=true"`,
    );
    expect(JSON.parse(settings).persistent['cluster.routing.allocation.exclude._ip']).toBeUndefined();
    expect(readFileSync(workspace.inventory, 'utf8')).not.toMatch(new RegExp(`\\b${fourth.name}\\b`));
  }, 300_000);
});
