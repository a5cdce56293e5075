import { WireInstallError } from '../../../core/errors.js';
import type { Finding } from '../../../core/finding.js';
import { type Host, type Inventory, trafficAddress } from '../../../inventory/defaults.js';
import { remoteCheck } from '../../../operations/remote-check.js';
import type { Operation, OperationContext } from '../../../operations/types.js';
import { ES_HTTP_PORT, elasticsearchGet, esHosts } from '../../../wire/elasticsearch.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const elasticsearchHealthStep = defineStep({
  id: 'databases.elasticsearch-health',
  stage: 'databases',
  title: 'Check Elasticsearch: cluster health green, every node joined',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['elasticsearch'] },
  order: 'first-host-only',
  why: 'elasticsearch-index-create needs a green cluster to create the directory index',
  alwaysRun: true,
  operations: (inventory) => elasticsearchHealth(inventory),
});

/** How long the health check lets the cluster become green and complete (ES waits server-side). */
export const HEALTH_WAIT_SECONDS = 30;
/** How long a node just (re)started may take to answer HTTP at all (a JVM start). */
const START_WAIT_SECONDS = 60;

interface ClusterHealth {
  status?: string;
  number_of_nodes?: number;
  timed_out?: boolean;
  cluster_name?: string;
}

/** Waits for the node to answer (a JVM takes a while), then asks for the health, ES waiting server-side. */
function elasticsearchHealth(inventory: Inventory): Operation[] {
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
