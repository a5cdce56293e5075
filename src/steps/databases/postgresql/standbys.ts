import { type Inventory, trafficAddress } from '../../../inventory/defaults.js';
import { aptPackageOperation } from '../../../operations/apt.js';
import { fileOperation } from '../../../operations/file.js';
import {
  clusterPaths,
  postgresClusterOperation,
  postgresVersion,
} from '../../../operations/postgresql-cluster.js';
import { runOrFail } from '../../../operations/run.js';
import type { Operation, OperationContext } from '../../../operations/types.js';
import type { WireSecrets } from '../../../secrets/generate.js';
import { pgHbaLines, postgresConfig, postgresHosts, REPLICATION_USER } from '../../../wire/postgresql.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const postgresqlStandbysStep = defineStep({
  id: 'databases.postgresql-standbys',
  stage: 'databases',
  title: 'Clone each standby from the primary and let it stream, one at a time',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['postgresql'] },
  order: 'after-first-serial',
  why: 'The standbys in [postgresql_ro] stream from the primary through repmgr',
  needs: ['secrets'],
  operations: (inventory, _host, options) => postgresStandby(inventory, options.secrets),
});

/** A standby: cloned from the primary once (pg_basebackup -R), then streaming. */
function cloneOperation(primary: string): Operation {
  const cloned = async (context: OperationContext) => {
    const version = await postgresVersion(context);
    if (!version) return false;
    return (await context.host.exec(`test -f ${clusterPaths(version).data}/standby.signal`)).exitCode === 0;
  };
  const change = `clone the data from ${primary} (pg_basebackup) and follow it`;
  return {
    kind: 'postgresql-standby',
    target: primary,
    inputs: { primary },
    async check(context) {
      return { changes: (await cloned(context)) ? [] : [change], notes: [] };
    },
    async apply(context) {
      if (await cloned(context)) return { changes: [], notes: [] };
      const version = await postgresVersion(context);
      if (!version) throw new Error(`${context.host.name}: PostgreSQL is not installed`);
      const { data, unit } = clusterPaths(version);
      // The password comes from ~postgres/.pgpass (written before, mode 0600), not the command line.
      await runOrFail(
        context.host,
        `cloning the standby from ${primary}`,
        [
          `systemctl stop ${unit}`,
          `rm -rf ${data}`,
          `runuser -u postgres -- pg_basebackup -h ${primary} -U ${REPLICATION_USER} -D ${data} -R -X stream -c fast -w`,
          `chmod 700 ${data}`,
        ].join(' && '),
        {
          next: `check that ${primary} accepts replication from this host (pg_hba.conf) and the password in secrets.yaml`,
        },
      );
      return { changes: [change], notes: [] };
    },
  };
}

function postgresStandby(inventory: Inventory, secrets: WireSecrets): Operation[] {
  const [primaryHost] = postgresHosts(inventory);
  const primary = primaryHost ? trafficAddress(primaryHost) : '';
  return [
    aptPackageOperation({ name: 'postgresql' }),
    fileOperation({
      path: '/var/lib/postgresql/.pgpass',
      content: `${primary}:5432:replication:${REPLICATION_USER}:${secrets.postgresql.password}\n`,
      mode: 0o600,
      owner: 'postgres',
      group: 'postgres',
    }),
    cloneOperation(primary),
    postgresClusterOperation({
      config: postgresConfig('a standby of the primary'),
      hba: pgHbaLines(inventory),
    }),
  ];
}
