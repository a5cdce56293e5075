import { BUNDLE_BINARIES } from '../../bundle/binaries.js';
import { WireInstallError } from '../../core/errors.js';
import type { StepHost } from '../../engine/types.js';
import { shellQuote } from '../../hosts/become.js';
import { type Host, hostsWithRole, type Inventory, trafficAddress } from '../../inventory/defaults.js';
import { aptPackageOperation } from '../../operations/apt.js';
import { debFileOperation } from '../../operations/deb-file.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { sysctlOperation } from '../../operations/sysctl.js';
import { systemdUnitOperation } from '../../operations/systemd.js';
import type { Operation, OperationContext } from '../../operations/types.js';
import type { Finding } from '../../rules/finding.js';
import { templateOperation } from '../../templates/load.js';
import { fromAssets } from '../../wire/assets.js';
import type { Implementation, WireStageOptions } from './types.js';

/**
 * Elasticsearch 6.8.23 (OSS) on the elasticsearch hosts, as Wire's elasticsearch.yml does it
 * (docs/wire/install-sequences.md#elasticsearch-install): Java 8 from the bundle's apt repository, the .deb from binaries.tar,
 * elasticsearch.yml naming every node for zen discovery, the heap from the host's memory, and
 * the service. The health check asks the first node for a green cluster with every node in it,
 * which elasticsearch-index-create needs (docs/wire/migrations.md#migration-jobs, docs/wire/health-and-ports.md#health-checks).
 */
export const ES_VERSION = '6.8.23';
export const ES_PACKAGE = 'elasticsearch-oss';
export const ES_HTTP_PORT = 9200;
/**
 * Wire's name (es_config cluster.name in its elasticsearch.yml playbook). wire-server's charts
 * only need the nodes' addresses, but the same name makes Wire's runbooks read the same.
 * Renaming a running cluster takes a restart of all its nodes together, as the install step
 * (parallel) does. See docs/wire/deployment-sources.md#elasticsearch.
 */
export const ES_CLUSTER_NAME = 'elasticsearch-directory';
const DEB = `/var/cache/wire-install/${ES_PACKAGE}-${ES_VERSION}.deb`;
const CONFIG = '/etc/elasticsearch/elasticsearch.yml';
const JVM_OPTIONS = '/etc/elasticsearch/jvm.options';
/** How long the health check lets the cluster become green and complete (ES waits server-side). */
export const HEALTH_WAIT_SECONDS = 30;
/** How long a node just (re)started may take to answer HTTP at all (a JVM start). */
const START_WAIT_SECONDS = 60;

export const esHosts = (inventory: Inventory): Host[] => hostsWithRole(inventory, 'elasticsearch');

/** A majority of the master-eligible nodes (every ES node is one), against split brain. */
export const minimumMasterNodes = (count: number): number => Math.floor(count / 2) + 1;

/**
 * The heap, by Elasticsearch's rules: half the memory (the other half is the file-system cache
 * Lucene reads through), never more than 31 GiB (compressed object pointers end near 32 GiB),
 * rounded down to 128 MiB, at least 512 MiB. Xms = Xmx, so the JVM never resizes it.
 * On a data node that also runs Cassandra (Wire's usual three data nodes carry every database,
 * docs/wire/inventory-and-hardware.md#inventory-groups), that half is shared with Cassandra's heap and the other databases: ES takes a
 * quarter, so its heap (committed at start by AlwaysPreTouch) and Cassandra's leave room.
 */
export function heapSize(memoryGiB: number, withCassandra = false): string {
  const share = withCassandra ? 4 : 2;
  const half = Math.floor((memoryGiB * 1024) / share / 128) * 128;
  const mib = Math.max(512, Math.min(31 * 1024, half));
  return mib % 1024 === 0 ? `${mib / 1024}g` : `${mib}m`;
}

const hostHasCassandra = (inventory: Inventory, name: string): boolean =>
  inventory.hosts.some((host) => host.name === name && host.roles.includes('cassandra'));

export function elasticsearchConfig(inventory: Inventory, hostName: string): Record<string, string> {
  const hosts = esHosts(inventory);
  const self = hosts.find((host) => host.name === hostName);
  if (!self) throw new Error(`${hostName} is not an elasticsearch host`);
  return {
    clusterName: ES_CLUSTER_NAME,
    nodeName: self.name,
    address: trafficAddress(self),
    unicastHosts: hosts.map((host) => `"${trafficAddress(host)}"`).join(', '),
    minimumMasterNodes: String(minimumMasterNodes(hosts.length)),
  };
}

export function elasticsearchInstall(
  inventory: Inventory,
  host: StepHost,
  options: Pick<WireStageOptions, 'bundleRoot'>,
): Operation[] {
  return [
    // The stand-in of the lab's repository has this name too (test/lab/lab.sh).
    aptPackageOperation({ name: 'openjdk-8-jre-headless' }),
    fromAssets(inventory, options, BUNDLE_BINARIES.elasticsearchDeb, DEB),
    debFileOperation({ name: ES_PACKAGE, version: ES_VERSION, path: DEB }),
    templateOperation('elasticsearch/elasticsearch.yml', elasticsearchConfig(inventory, host.name), {
      path: CONFIG,
      mode: 0o660,
      owner: 'root',
      group: 'elasticsearch',
    }),
    templateOperation(
      'elasticsearch/jvm.options',
      { heap: heapSize(host.facts.memoryGiB, hostHasCassandra(inventory, host.name)) },
      { path: JVM_OPTIONS, mode: 0o660, owner: 'root', group: 'elasticsearch' },
    ),
    // ES's bootstrap check refuses to start on a non-loopback address below this (its docs,
    // "Virtual memory"); the real .deb sets it only in /usr/lib/sysctl.d, applied at boot.
    sysctlOperation({
      file: '60-wire-install-elasticsearch.conf',
      settings: { 'vm.max_map_count': '262144' },
    }),
    systemdUnitOperation({
      unit: 'elasticsearch.service',
      enabled: true,
      running: true,
      restartWhenChanged: [CONFIG, JVM_OPTIONS, DEB],
    }),
  ];
}

/** GETs argv[1] and prints the HTTP status on the first line, then the body (ES answers 408 with a body). */
const HTTP_STATUS_GET = `python3 -c ${shellQuote(
  [
    'import sys,urllib.request as u,urllib.error as e',
    'try:',
    '  r=u.urlopen(sys.argv[1], timeout=float(sys.argv[2])); print(r.status); print(r.read().decode())',
    'except e.HTTPError as x:',
    '  print(x.code); print(x.read().decode())',
    'except Exception as x:',
    '  sys.exit(f"{sys.argv[1]}: {x}")',
  ].join('\n'),
)}`;

interface ClusterHealth {
  status?: string;
  number_of_nodes?: number;
  timed_out?: boolean;
  cluster_name?: string;
}

export type HttpAnswer = { error: string } | { code: number; body: string };

/** GET from the node itself (python3 on the host), the HTTP status and body or why not; doctor reads with it too. */
export async function elasticsearchGet(
  context: OperationContext,
  url: string,
  timeoutSeconds: number,
): Promise<HttpAnswer> {
  const result = await context.host.exec(`${HTTP_STATUS_GET} ${shellQuote(url)} ${timeoutSeconds}`);
  if (result.exitCode !== 0) return { error: result.stderr.trim().split('\n').at(-1) ?? '' };
  const [code = '', ...body] = result.stdout.split('\n');
  return { code: Number(code), body: body.join('\n').trim() };
}

/** Waits for the node to answer (a JVM takes a while), then asks for the health, ES waiting server-side. */
export function elasticsearchHealth(inventory: Inventory): Operation[] {
  const hosts = esHosts(inventory);
  const expected = hosts.length;
  return [
    remoteCheck('Elasticsearch cluster health', async (context): Promise<Finding[]> => {
      const self = hosts.find((host) => host.name === context.host.name);
      const base = `http://${self ? trafficAddress(self) : '127.0.0.1'}:${ES_HTTP_PORT}`;
      const finding = (message: string, measured: string, fix: string): Finding => ({
        severity: 'error',
        rule: 'databases.elasticsearch-health',
        host: context.host.name,
        message,
        measured,
        required: `status green with ${expected} nodes (${hosts.map((h) => h.name).join(', ')})`,
        fix,
      });
      // Not running at all (or not installed yet, in a plan): said at once, not waited for.
      if ((await context.host.exec('systemctl is-active --quiet elasticsearch')).exitCode !== 0)
        throw new WireInstallError({
          what: `${context.host.name}: elasticsearch.service is not running`,
          host: context.host.name,
          next: 'systemctl status elasticsearch; journalctl -u elasticsearch -n 50 (apply --only databases.elasticsearch-install starts it)',
        });
      const deadline = Date.now() + START_WAIT_SECONDS * 1000;
      let root = await elasticsearchGet(context, `${base}/`, 5);
      while ('error' in root && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        root = await elasticsearchGet(context, `${base}/`, 5);
      }
      if ('error' in root)
        return [
          finding(
            `Elasticsearch on ${context.host.name} does not answer on ${base}`,
            root.error,
            'systemctl status elasticsearch; journalctl -u elasticsearch -n 50; /var/log/elasticsearch/',
          ),
        ];
      const query = `wait_for_status=green&wait_for_nodes=${expected}&timeout=${HEALTH_WAIT_SECONDS}s`;
      const health = await elasticsearchGet(
        context,
        `${base}/_cluster/health?${query}`,
        HEALTH_WAIT_SECONDS + 10,
      );
      if ('error' in health)
        return [finding('the cluster health could not be read', health.error, 'journalctl -u elasticsearch')];
      let parsed: ClusterHealth = {};
      try {
        parsed = JSON.parse(health.body) as ClusterHealth;
      } catch {
        // A body that is not JSON is shown as it is.
      }
      const nodes = parsed.number_of_nodes ?? 0;
      const measured = `HTTP ${health.code}: ${health.body.replace(/\s+/g, ' ').slice(0, 400)}`;
      if (parsed.status === 'green' && nodes === expected) return [];
      if (parsed.status === 'yellow' && nodes === expected)
        return [
          {
            ...finding(
              'the cluster is yellow: every node joined, but some replica shards are not assigned',
              measured,
              'GET /_cluster/allocation/explain on a node; it turns green once the replicas are copied',
            ),
            severity: 'warning',
          },
        ];
      const missing = await missingNodes(context, base, hosts);
      return [
        finding(
          missing.length > 0
            ? `Elasticsearch nodes not in the cluster: ${missing.join(', ')}`
            : `the cluster is not green with ${expected} nodes (status ${parsed.status ?? 'unknown'}, ${nodes} nodes)`,
          measured,
          `on ${missing.join(', ') || 'each node'}: systemctl status elasticsearch; journalctl -u elasticsearch; check that port 9300 is open between the nodes`,
        ),
      ];
    }),
  ];
}

/** The inventory's ES hosts that _cat/nodes does not list (by node name, which is the host's name). */
async function missingNodes(context: OperationContext, base: string, hosts: Host[]): Promise<string[]> {
  const listed = await elasticsearchGet(context, `${base}/_cat/nodes?format=json&h=name,ip`, 10);
  if ('error' in listed || listed.code !== 200) return [];
  try {
    const nodes = JSON.parse(listed.body) as { name?: string; ip?: string }[];
    const present = new Set(nodes.flatMap((node) => [node.name, node.ip]));
    return hosts
      .filter((host) => !present.has(host.name) && !present.has(trafficAddress(host)))
      .map((host) => `${host.name} (${trafficAddress(host)})`);
  } catch {
    return [];
  }
}

export const ELASTICSEARCH_IMPLEMENTATIONS: Record<string, Implementation> = {
  'databases.elasticsearch-install': {
    needsBundle: true,
    operations: (inventory, host, options) => elasticsearchInstall(inventory, host, options),
  },
  'databases.elasticsearch-health': {
    operations: (inventory) => elasticsearchHealth(inventory),
    alwaysRun: true,
  },
};
