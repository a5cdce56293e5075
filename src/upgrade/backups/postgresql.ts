import { hostsWithRole, type Inventory } from '../../inventory/defaults.js';
import { WIRE_DATABASE } from '../../wire/postgresql.js';
import type { UpgradeStageOptions } from '../types.js';
import { type BackupFileSpec, backupFileOperation } from './backup-file.js';
import { manifestPath } from './manifest.js';
import { hostBackupDir, hostBackupDirs } from './paths.js';
import type { BackupStepBuilder } from './step.js';

/**
 * `upgrade.backup-postgresql`: a custom-format dump (`pg_dump -Fc`) of the wire-server database
 * on the primary, the first postgresql host (postgresql.ts), before the upgrade's migrations
 * touch it (docs/wire/upgrades.md#back-up-first; Wire backs up PostgreSQL before each data migration). pg_dump runs
 * as the postgres OS user with peer authentication: no password anywhere. The dump is read back
 * with `pg_restore --list` before it counts as taken.
 */
export const postgresDumpPath = (id: string): string =>
  `${hostBackupDir(id)}/postgresql-${WIRE_DATABASE}.dump`;

export function postgresDumpSpec(inventoryDir: string, options: UpgradeStageOptions): BackupFileSpec {
  const { id } = options.target;
  return {
    what: 'postgresql-dump',
    description: `the PostgreSQL dump of ${WIRE_DATABASE} (pg_dump -Fc)`,
    dirs: hostBackupDirs(id),
    path: postgresDumpPath(id),
    // root opens the files; postgres only reads and writes the streams: the 0700 folder stays root's.
    produce: [
      `runuser -u postgres -- pg_dump -Fc -d ${WIRE_DATABASE} > "$partial"`,
      'runuser -u postgres -- pg_restore --list < "$partial" > /dev/null',
    ],
    inputs: { upgrade: id, database: WIRE_DATABASE },
    manifest: manifestPath(inventoryDir, id),
    target: options.target,
    next: `check that PostgreSQL runs on this host (systemctl status 'postgresql@*') and has the ${WIRE_DATABASE} database`,
  };
}

export const postgresqlBackupStep: BackupStepBuilder = (inventory: Inventory, inventoryDir, options) => {
  const [primary] = hostsWithRole(inventory, 'postgresql');
  if (!primary) return undefined;
  const spec = postgresDumpSpec(inventoryDir, options);
  return {
    id: 'upgrade.backup-postgresql',
    title: `Dump the ${WIRE_DATABASE} database on the PostgreSQL primary`,
    hosts: [primary.name],
    operations: () => [backupFileOperation(spec)],
  };
};
