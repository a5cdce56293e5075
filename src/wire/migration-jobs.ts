/**
 * wire-server's migration jobs (docs/wire/migrations.md#migration-jobs), in the order Helm runs them: the pre-install hooks
 * block the release until the schemas exist; the post-install hooks migrate data once the
 * services run. Helm runs them while it installs wire-server (workloads stage); the
 * migrations stage follows each job to its end and keeps its logs when one fails.
 */
export interface MigrationJob<Job extends string = string> {
  /** The Kubernetes Job name. */
  job: Job;
  /** The wire-server sub-chart that defines it. */
  chart: string;
  hook: 'pre-install' | 'post-install';
  why: string;
}

// `as const satisfies`: the job names stay literal, so the migrations steps' ids are typed (StepId).
export const MIGRATION_JOBS = [
  {
    job: 'cassandra-migrations',
    chart: 'cassandra-migrations',
    hook: 'pre-install',
    why: 'Creates the gundeck, brig, galley and spar schemas one after another; needs every Cassandra node up',
  },
  {
    job: 'elasticsearch-index-create',
    chart: 'elasticsearch-index',
    hook: 'pre-install',
    why: 'Creates the user search index `directory` when it is missing, then updates its mapping',
  },
  {
    job: 'galley-migrate-data',
    chart: 'cassandra-migrations',
    hook: 'post-install',
    why: 'Data migrations in the galley keyspace, hook weight 10',
  },
  {
    job: 'gundeck-migrate-data',
    chart: 'cassandra-migrations',
    hook: 'post-install',
    why: 'Data migrations in the gundeck keyspace, hook weight 10',
  },
  {
    job: 'spar-migrate-data',
    chart: 'cassandra-migrations',
    hook: 'post-install',
    why: 'Reads the brig and spar keyspaces, hook weight 20',
  },
  {
    job: 'brig-index-migrate-data',
    chart: 'elasticsearch-index',
    hook: 'post-install',
    why: 'Fills the search index from Cassandra, galley and PostgreSQL when an index migration is new',
  },
] as const satisfies readonly MigrationJob[];
