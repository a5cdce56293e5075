import type { EngineStep } from '../../engine/types.js';
import type { Inventory } from '../../inventory/defaults.js';
import type { UpgradeStageBuilder } from '../types.js';
import { cassandraBackupStep } from './cassandra.js';
import { type BackupStageOptions, installationFilesStep } from './installation-files.js';
import { postgresqlBackupStep } from './postgresql.js';
import { rabbitmqBackupStep } from './rabbitmq.js';

/**
 * The upgrade's backups, before anything changes (docs/wire/upgrades.md#back-up-first; issue 7): the installation's
 * files on the admin host, a Cassandra snapshot on every node archived, a PostgreSQL dump and
 * RabbitMQ's definitions, each recorded in `.wire-install/backups/<id>/manifest.json`.
 * docs/restore.md says how to restore each. A role without hosts has no step: a demo runs its
 * databases inside the cluster (databases-ephemeral), so its backup is the files alone.
 */
export type { BackupStageOptions } from './installation-files.js';

export const BACKUP_STAGE_ID = 'upgrade-backup';

const STEPS = [installationFilesStep, cassandraBackupStep, postgresqlBackupStep, rabbitmqBackupStep];

function buildBackupStage(inventory: Inventory, inventoryDir: string, options: BackupStageOptions) {
  return {
    id: BACKUP_STAGE_ID,
    title: 'Back up before the upgrade',
    steps: STEPS.map((step) => step(inventory, inventoryDir, options)).filter(
      (step): step is EngineStep => step !== undefined,
    ),
  };
}

export const backupStage: UpgradeStageBuilder = buildBackupStage;
