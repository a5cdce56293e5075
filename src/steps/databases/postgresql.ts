import { PRODUCTION_ONLY, type StepDefinition } from '../types.js';

/**
 * PostgreSQL from the bundle (Wire ships 17 with repmgr): the first listed host is the primary,
 * the others stream from it (Wire's postgresql-deploy.yml, docs/wire/install-sequences.md#postgresql-install). wire-install sets
 * up streaming replication itself; repmgr (automatic failover) is not installed yet. The password comes from secrets.yaml
 * and goes straight into the chart values, so Wire's round trip through a Kubernetes secret
 * is not needed and this stage does not depend on the cluster.
 */
export const postgresqlSteps: readonly StepDefinition[] = [
  {
    id: 'databases.postgresql-primary',
    stage: 'databases',
    title: 'Install PostgreSQL; set up the primary, its roles and database',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['postgresql'] },
    order: 'first-host-only',
    why: 'brig (since 5.16) and galley (since 5.19) need PostgreSQL; one primary in [postgresql_rw]',
  },
  {
    id: 'databases.postgresql-standbys',
    stage: 'databases',
    title: 'Clone each standby from the primary and let it stream, one at a time',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['postgresql'] },
    order: 'after-first-serial',
    why: 'The standbys in [postgresql_ro] stream from the primary through repmgr',
  },
  {
    id: 'databases.postgresql-health',
    stage: 'databases',
    title: 'Check PostgreSQL: every standby streaming from the primary',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['postgresql'] },
    order: 'first-host-only',
    why: 'pg_stat_replication on the primary lists each standby as streaming',
  },
];
