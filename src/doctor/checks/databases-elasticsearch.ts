import { trafficAddress } from '../../inventory/defaults.js';
import { ES_HTTP_PORT, elasticsearchGet, type HttpAnswer } from '../../wire/elasticsearch.js';
import { fail, pass, warn } from '../results.js';
import type { DoctorCheck, DoctorResult } from '../types.js';
import { type DatabaseHost, databaseHosts, databaseSkipReason, operationContext } from './database-hosts.js';

/**
 * databases.elasticsearch: the cluster health green with every elasticsearch host in it (docs/wire/health-and-ports.md#health-checks:
 * `_cluster/health`, `_cat/nodes`; elasticsearch-index-create needs it, docs/wire/migrations.md#migration-jobs). Each
 * host is asked on its own address from itself (databases.elasticsearch-health's read), so a
 * node that is down or outside the cluster is named.
 */
const ID = 'databases.elasticsearch';
const FIX_NODE = (host: string) =>
  `on ${host}: systemctl status elasticsearch; journalctl -u elasticsearch -n 50; check that 9300/tcp is open between the nodes`;

interface Health {
  status?: string;
  number_of_nodes?: number;
}

const describe = (answer: HttpAnswer) =>
  'error' in answer ? answer.error : `HTTP ${answer.code}: ${answer.body.replace(/\s+/g, ' ').slice(0, 300)}`;

function parse<T>(answer: HttpAnswer): T | undefined {
  if ('error' in answer || answer.code !== 200) return undefined;
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    return undefined;
  }
}

export function healthResult(asked: string, expected: number, answer: HttpAnswer): DoctorResult {
  const health = parse<Health>(answer);
  const evidence = [`GET _cluster/health on ${asked}: ${describe(answer)}`];
  const nodes = health?.number_of_nodes ?? 0;
  if (health?.status === 'green' && nodes === expected)
    return pass(ID, `the cluster is green with ${nodes} nodes`, { evidence });
  if (health?.status === 'yellow' && nodes === expected)
    return warn(
      ID,
      'the cluster is yellow: every node joined, but some replica shards are not assigned',
      'GET /_cluster/allocation/explain on a node; it turns green once the replicas are copied',
      { evidence },
    );
  return fail(
    ID,
    `the cluster is ${health?.status ?? 'not answering'} with ${nodes} of ${expected} nodes`,
    'see the nodes named below; GET /_cluster/allocation/explain on a node',
    { evidence },
  );
}

export function nodeResult(
  host: DatabaseHost['host'],
  listed: { name?: string; ip?: string }[],
  asked: string,
) {
  const address = trafficAddress(host);
  const inCluster = listed.some((node) => node.name === host.name || node.ip === address);
  const evidence = [
    `_cat/nodes on ${asked}: ${listed.map((node) => `${node.name ?? '?'} ${node.ip ?? '?'}`).join(', ') || 'none'}`,
  ];
  return inCluster
    ? pass(ID, `${host.name} (${address}) is in the cluster`, { host: host.name, evidence })
    : fail(ID, `${host.name} (${address}) is not in the cluster`, FIX_NODE(host.name), {
        host: host.name,
        evidence,
      });
}

export const databasesElasticsearch: DoctorCheck = {
  id: ID,
  group: 'databases',
  title: 'the Elasticsearch cluster green with every elasticsearch host in it',
  needsHosts: true,
  skipReason: (context) => databaseSkipReason(context, 'elasticsearch', 'databases.elasticsearch-install'),
  async run(context) {
    const { connected, results } = databaseHosts(context, ID, 'elasticsearch');
    const all = context.inventory.hosts.filter((host) => host.roles.includes('elasticsearch')).length;
    const silent: DoctorResult[] = [];
    for (const candidate of connected) {
      const base = `http://${trafficAddress(candidate.host)}:${ES_HTTP_PORT}`;
      const op = operationContext(context, candidate.remote);
      const health = await elasticsearchGet(op, `${base}/_cluster/health`, 10);
      if ('error' in health) {
        silent.push(
          fail(
            ID,
            `Elasticsearch on ${candidate.host.name} does not answer on ${base}`,
            FIX_NODE(candidate.host.name),
            {
              host: candidate.host.name,
              evidence: [health.error],
            },
          ),
        );
        continue;
      }
      const nodes = parse<{ name?: string; ip?: string }[]>(
        await elasticsearchGet(op, `${base}/_cat/nodes?format=json&h=name,ip`, 10),
      );
      const others = connected.filter((host) => !silent.some((result) => result.host === host.host.name));
      return [
        healthResult(candidate.host.name, all, health),
        ...silent,
        ...others.map((host) => nodeResult(host.host, nodes ?? [], candidate.host.name)),
        ...results,
      ];
    }
    return [...silent, ...results];
  },
};
