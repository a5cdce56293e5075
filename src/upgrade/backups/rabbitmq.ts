import type { Inventory } from '../../inventory/defaults.js';
import { rabbitHosts } from '../../wire/rabbitmq.js';
import type { UpgradeStageOptions } from '../types.js';
import { type BackupFileSpec, backupFileOperation } from './backup-file.js';
import { manifestPath } from './manifest.js';
import { hostBackupDir, hostBackupDirs } from './paths.js';
import type { BackupStepBuilder } from './step.js';

/**
 * `upgrade.backup-rabbitmq`: RabbitMQ's definitions (vhosts, users with their password hashes,
 * permissions, queues, exchanges, bindings, policies) exported on the first rabbitmq host; they
 * are the cluster's, so one node is enough (docs/wire/upgrades.md#back-up-first). Messages in flight are not backed
 * up: wire-server's queues hold notifications being delivered, and docs/restore.md says so.
 * `export_definitions -` writes to stdout: the Debian rabbitmqctl wrapper runs as the rabbitmq
 * user, which may not write in root's 0700 backup folder.
 */
export const rabbitmqDefinitionsPath = (id: string): string =>
  `${hostBackupDir(id)}/rabbitmq-definitions.json`;

export function rabbitmqDefinitionsSpec(inventoryDir: string, options: UpgradeStageOptions): BackupFileSpec {
  const { id } = options.target;
  return {
    what: 'rabbitmq-definitions',
    description: 'the RabbitMQ definitions (rabbitmqctl export_definitions)',
    dirs: hostBackupDirs(id),
    path: rabbitmqDefinitionsPath(id),
    produce: [
      'rabbitmqctl export_definitions --silent - > "$partial"',
      // Anything but a JSON document (a warning, an empty file) is not a backup.
      'if [ "$(head -c 1 "$partial")" != "{" ]; then echo "rabbitmqctl export_definitions did not write a JSON document" >&2; exit 1; fi',
    ],
    inputs: { upgrade: id },
    manifest: manifestPath(inventoryDir, id),
    target: options.target,
    next: 'check that RabbitMQ runs on this host: rabbitmqctl status',
  };
}

export const rabbitmqBackupStep: BackupStepBuilder = (inventory: Inventory, inventoryDir, options) => {
  const [first] = rabbitHosts(inventory);
  if (!first) return undefined;
  const spec = rabbitmqDefinitionsSpec(inventoryDir, options);
  return {
    id: 'upgrade.backup-rabbitmq',
    title: 'Export the RabbitMQ definitions',
    hosts: [first.name],
    operations: () => [backupFileOperation(spec)],
  };
};
