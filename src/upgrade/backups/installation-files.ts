import { basename, dirname, join } from 'node:path';
import { shellQuote } from '../../hosts/become.js';
import { ADMIN_HOST } from '../../hosts/local-host.js';
import { STATE_DIR } from '../../state/store.js';
import type { UpgradeStageOptions } from '../types.js';
import { type BackupFileSpec, backupFileOperation } from './backup-file.js';
import { adminBackupDir, manifestPath } from './manifest.js';
import type { BackupStepBuilder } from './step.js';

/**
 * `upgrade.backup-files` (admin host): the installation's own files in one .tar.gz, the
 * "whole wire-server-deploy directory" of Wire's backup step (docs/wire/upgrades.md#back-up-first): the inventory, secrets.yaml and .wire-install/ (state.json,
 * releases/, values/, certificates/, admin.conf, known_hosts). Left out: logs/ (debug logs,
 * large and not needed to restore), backups/ (the archive itself and the manifest) and the
 * run's lock (restored, it would look like a run in progress). It holds every secret: mode 0600
 * in 0700 folders, and it is written once per upgrade (the upgrade id is its fingerprint).
 */
export const INSTALLATION_ARCHIVE = 'installation-files.tar.gz';

export const installationArchivePath = (inventoryDir: string, id: string): string =>
  join(adminBackupDir(inventoryDir, id), INSTALLATION_ARCHIVE);

/** Relative to the inventory's folder: what `tar -C <inventory dir>` leaves out. */
export const EXCLUDED = [
  `${STATE_DIR}/logs`,
  `${STATE_DIR}/backups`,
  `${STATE_DIR}/lock`,
  `${STATE_DIR}/.*.tmp`,
];

export interface InstallationFiles {
  inventoryDir: string;
  /** The inventory file; `inventory.yaml` beside the state when the caller does not say. */
  inventoryPath: string;
  /** secrets.yaml, or undefined when the installation has none. */
  secretsPath: string | undefined;
}

/** tar arguments: the inventory and .wire-install/ from the inventory's folder, secrets.yaml from its own. */
export function installationTarArguments(files: InstallationFiles): string[] {
  const args = [
    '--anchored',
    ...EXCLUDED.map((pattern) => `--exclude=${pattern}`),
    '-C',
    files.inventoryDir,
    // The state sits beside the inventory (apply-run.ts), so both are in the inventory's folder.
    basename(files.inventoryPath),
    STATE_DIR,
  ];
  if (files.secretsPath) args.push('-C', dirname(files.secretsPath), basename(files.secretsPath));
  return args;
}

export function installationFilesSpec(
  files: InstallationFiles,
  options: UpgradeStageOptions,
): BackupFileSpec {
  const { id } = options.target;
  return {
    what: 'installation-files',
    description: `the inventory, ${files.secretsPath ? 'secrets.yaml, ' : ''}state, values, releases and certificates`,
    dirs: [join(files.inventoryDir, STATE_DIR, 'backups'), adminBackupDir(files.inventoryDir, id)],
    path: installationArchivePath(files.inventoryDir, id),
    produce: [`tar -czf "$partial" ${installationTarArguments(files).map(shellQuote).join(' ')}`],
    inputs: {
      upgrade: id,
      inventory: files.inventoryPath,
      secrets: files.secretsPath,
      excluded: EXCLUDED,
    },
    manifest: manifestPath(files.inventoryDir, id),
    target: options.target,
  };
}

/** Options the upgrade runner may add: the inventory file when it is not `inventory.yaml`. */
export interface BackupStageOptions extends UpgradeStageOptions {
  inventoryPath?: string;
}

export const installationFilesStep: BackupStepBuilder = (_inventory, inventoryDir, options) => {
  const files: InstallationFiles = {
    inventoryDir,
    inventoryPath: (options as BackupStageOptions).inventoryPath ?? join(inventoryDir, 'inventory.yaml'),
    secretsPath: options.secrets ? options.secretsPath : undefined,
  };
  const spec = installationFilesSpec(files, options);
  return {
    id: 'upgrade.backup-files',
    title: 'Archive the inventory, secrets and state',
    hosts: [ADMIN_HOST],
    admin: true,
    operations: () => [backupFileOperation(spec)],
  };
};
