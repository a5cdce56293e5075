/**
 * What a migration container's log says about why it failed: the root causes operators hit
 * (docs/wire/migrations.md#typical-root-causes, docs/wire/known-problems.md#cassandra-migrations-fail, #helm-hook-timeout, #search-index-job-gets-401), each matched on the log text, with what
 * to check. Pure: log text in, causes out, in the order of this table.
 */
export interface LikelyCause {
  id: string;
  /** What the log shows, one sentence. */
  cause: string;
  /** What to check or do. */
  check: string;
}

interface CausePattern extends LikelyCause {
  pattern: RegExp;
}

const CAUSES: readonly CausePattern[] = [
  {
    id: 'cassandra-node-down',
    pattern: /Cannot achieve consistency level|UnavailableException|Not enough replicas available/i,
    cause: 'a Cassandra node is down: schema migrations write at consistency ALL and need every node up',
    check:
      'nodetool status on a Cassandra node (every node UN); start the down node, then apply --only databases.cassandra-health',
  },
  {
    id: 'dns',
    pattern: /getAddrInfo|Name or service not known|no such host|Temporary failure in name resolution/i,
    cause: 'the pod cannot resolve a database service name (DNS, wire-server-deploy#303)',
    check:
      'kubectl get svc,endpoints cassandra-external elasticsearch-external; kubectl -n kube-system get pods -l k8s-app=kube-dns (CoreDNS Running)',
  },
  {
    id: 'cassandra-unreachable',
    pattern:
      /Connection refused|No route to host|connect(ion)? timed? ?out|cql-io: response timeout|response timeout/i,
    cause:
      'Cassandra does not answer on 9042: wrong cassandra-external IPs, a firewall, or an overloaded node',
    check:
      "kubectl get endpoints cassandra-external (the Cassandra hosts' addresses); from a node: nc -zv <cassandra> 9042; nodetool status",
  },
  {
    id: 'schema-disagreement',
    pattern: /Column family ID mismatch|schema (version )?disagreement|schema agreement/i,
    cause:
      'the Cassandra nodes disagree on the schema, usually after clock skew or a migration that timed out (wire-server-deploy issue #686)',
    check:
      'nodetool describecluster (one schema version); ntpq -pn on every Cassandra node (clocks synced); then run apply again',
  },
  {
    id: 'clock-skew',
    pattern: /clock skew|clocks? (are )?out of sync|timestamp in the future|time (is )?not synchroni[sz]ed/i,
    cause: 'the clocks of the Cassandra nodes are out of sync',
    check: 'ntpq -pn or chronyc tracking on every Cassandra node; apply --only bootstrap-host.time-sync',
  },
  {
    id: 'elasticsearch-auth',
    pattern: /missing authentication (token|credentials)|security_exception|\b401\b|Unauthorized/i,
    cause:
      'Elasticsearch requires authentication and the index job has no credentials (wire-server-deploy issue #714)',
    check:
      'credentials in elasticsearch-index.secrets.elasticsearch and brig.secrets.elasticsearch; curl -u <user> <es>:9200/_cat/health',
  },
  {
    id: 'elasticsearch-read-only',
    pattern: /cluster_block_exception|index read-only|read_only_allow_delete|FORBIDDEN\/12/i,
    cause: 'Elasticsearch set a read-only block on the index: its disk is full',
    check:
      'df -h on the Elasticsearch nodes; free space, then remove the block (index.blocks.read_only_allow_delete: null)',
  },
];

/** The causes whose pattern occurs in `log`, in table order. */
export function likelyCauses(log: string): LikelyCause[] {
  return CAUSES.filter((entry) => entry.pattern.test(log)).map(({ id, cause, check }) => ({
    id,
    cause,
    check,
  }));
}

/** When the log matches nothing known: the general checks of docs/wire/migrations.md#debugging-a-failed-migration. */
export const GENERAL_CHECK =
  'kubectl describe pod <pod> (which container, which event); kubectl get events; the Cassandra and Elasticsearch health steps';
