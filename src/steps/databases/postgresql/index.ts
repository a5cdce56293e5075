import { postgresqlHealthStep } from './health.js';
import { postgresqlPrimaryStep } from './primary.js';
import { postgresqlStandbysStep } from './standbys.js';

/**
 * PostgreSQL from the bundle (Wire ships 17 with repmgr): the first listed host is the primary,
 * the others stream from it (Wire's postgresql-deploy.yml, docs/wire/install-sequences.md#postgresql-install). wire-install sets
 * up streaming replication itself; repmgr (automatic failover) is not installed yet. The password comes from secrets.yaml
 * and goes straight into the chart values, so Wire's round trip through a Kubernetes secret
 * is not needed and this stage does not depend on the cluster.
 */
export const postgresqlSteps = [postgresqlPrimaryStep, postgresqlStandbysStep, postgresqlHealthStep] as const;
