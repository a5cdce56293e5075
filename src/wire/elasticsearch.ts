import { shellQuote } from '../hosts/become.js';
import { type Host, hostsWithRole, type Inventory, trafficAddress } from '../inventory/defaults.js';
import type { OperationContext } from '../operations/types.js';

/**
 * Elasticsearch 6.8 as Wire runs it on the elasticsearch hosts (Wire's elasticsearch.yml,
 * docs/wire/install-sequences.md#elasticsearch-install): what apply's steps, doctor and the tests
 * share: the hosts, the cluster's configuration, the heap, and how a node is asked over HTTP.
 */
export const ES_HTTP_PORT = 9200;
/**
 * Wire's name (es_config cluster.name in its elasticsearch.yml playbook). wire-server's charts
 * only need the nodes' addresses, but the same name makes Wire's runbooks read the same.
 * Renaming a running cluster takes a restart of all its nodes together, as the install step
 * (parallel) does. See docs/wire/deployment-sources.md#elasticsearch.
 */
export const ES_CLUSTER_NAME = 'elasticsearch-directory';

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

/**
 * An HTTP request from the node itself (python3 on the host): argv[1] the method, argv[2] the
 * URL, argv[3] the timeout in seconds, stdin the JSON body of a PUT. Prints the HTTP status on the
 * first line, then the body (ES answers 408 with a body); exits non-zero with the reason when no
 * answer came.
 */
const HTTP_REQUEST = `python3 -c ${shellQuote(
  [
    'import sys,urllib.request as u,urllib.error as e',
    'm=sys.argv[1]; d=sys.stdin.buffer.read() if m == "PUT" else None',
    'q=u.Request(sys.argv[2], data=d, method=m, headers={"Content-Type": "application/json"})',
    'try:',
    '  r=u.urlopen(q, timeout=float(sys.argv[3])); print(r.status); print(r.read().decode())',
    'except e.HTTPError as x:',
    '  print(x.code); print(x.read().decode())',
    'except Exception as x:',
    '  sys.exit(f"{sys.argv[2]}: {x}")',
  ].join('\n'),
)}`;

export type HttpAnswer = { error: string } | { code: number; body: string };

async function request(
  context: OperationContext,
  method: 'GET' | 'PUT',
  url: string,
  timeoutSeconds: number,
  body?: unknown,
): Promise<HttpAnswer> {
  const result = await context.host.exec(
    `${HTTP_REQUEST} ${method} ${shellQuote(url)} ${timeoutSeconds}`,
    method === 'PUT' ? { stdin: JSON.stringify(body) } : {},
  );
  if (result.exitCode !== 0) return { error: result.stderr.trim().split('\n').at(-1) ?? '' };
  const [code = '', ...rest] = result.stdout.split('\n');
  return { code: Number(code), body: rest.join('\n').trim() };
}

/** GET from the node itself, the HTTP status and body or why not; doctor reads with it too. */
export const elasticsearchGet = (context: OperationContext, url: string, timeoutSeconds: number) =>
  request(context, 'GET', url, timeoutSeconds);

/** PUT a JSON body from the node itself, the HTTP status and body or why not. */
export const elasticsearchPut = (
  context: OperationContext,
  url: string,
  body: unknown,
  timeoutSeconds: number,
) => request(context, 'PUT', url, timeoutSeconds, body);

/** The cluster-wide setting that keeps shards off nodes by address (Elasticsearch's shard allocation filtering). */
export const EXCLUDE_IP = 'cluster.routing.allocation.exclude._ip';
