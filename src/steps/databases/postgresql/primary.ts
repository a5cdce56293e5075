import type { Inventory } from '../../../inventory/defaults.js';
import { aptPackageOperation } from '../../../operations/apt.js';
import { postgresClusterOperation } from '../../../operations/postgresql-cluster.js';
import { postgresRoleOperation } from '../../../operations/postgresql-role.js';
import type { Operation } from '../../../operations/types.js';
import type { WireSecrets } from '../../../secrets/generate.js';
import {
  pgHbaLines,
  postgresConfig,
  REPLICATION_USER,
  WIRE_DATABASE,
  WIRE_USER,
} from '../../../wire/postgresql.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const postgresqlPrimaryStep = defineStep({
  id: 'databases.postgresql-primary',
  stage: 'databases',
  title: 'Install PostgreSQL; set up the primary, its roles and database',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['postgresql'] },
  order: 'first-host-only',
  why: 'brig (since 5.16) and galley (since 5.19) need PostgreSQL; one primary in [postgresql_rw]',
  needs: ['secrets'],
  operations: (inventory, _host, options) => postgresPrimary(inventory, options.secrets),
});

function postgresPrimary(inventory: Inventory, secrets: WireSecrets): Operation[] {
  return [
    aptPackageOperation({ name: 'postgresql' }),
    postgresClusterOperation({ config: postgresConfig('the primary'), hba: pgHbaLines(inventory) }),
    postgresRoleOperation({
      name: REPLICATION_USER,
      password: secrets.postgresql.password,
      attributes: ['LOGIN', 'REPLICATION'],
    }),
    postgresRoleOperation({
      name: WIRE_USER,
      password: secrets.postgresql.password,
      attributes: ['LOGIN'],
      database: WIRE_DATABASE,
    }),
  ];
}
