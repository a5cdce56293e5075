import { shellQuote } from '../../hosts/become.js';
import type { Inventory } from '../../inventory/defaults.js';
import { cassandraHosts, DATA_DIRS, NODETOOL } from '../../wire/cassandra.js';
import type { UpgradeStageOptions } from '../types.js';
import { type BackupFileSpec, backupFileOperation } from './backup-file.js';
import { manifestPath } from './manifest.js';
import { hostBackupDir, hostBackupDirs } from './paths.js';
import type { BackupStepBuilder } from './step.js';

/**
 * `upgrade.backup-cassandra`: on every cassandra node at once, `nodetool snapshot -t <tag>`
 * (hard links of the sstables, per table: <data>/<keyspace>/<table>-<id>/snapshots/<tag>/), then
 * every `snapshots/<tag>` directory under the data dir archived into one tarball, as Wire's
 * backup step says (docs/wire/upgrades.md#back-up-first). The snapshot is left in place: `nodetool refresh` restores from it without
 * copying (docs/restore.md), and `nodetool clearsnapshot -t <tag>` frees its space once the
 * upgrade is verified. A snapshot with the tag already there (a resumed upgrade) is not taken
 * again: the one from before anything changed is the one archived.
 */
export const snapshotTag = (id: string): string => `wire-install-${id}`;

export const cassandraArchivePath = (id: string, host: string): string =>
  `${hostBackupDir(id)}/cassandra-${host}.tar.gz`;

export function cassandraSnapshotSpec(
  inventoryDir: string,
  options: UpgradeStageOptions,
  host: string,
): BackupFileSpec {
  const { id } = options.target;
  const tag = shellQuote(snapshotTag(id));
  const data = shellQuote(DATA_DIRS.dataDir);
  const find = `find . -type d -path "*/snapshots/"${tag} -prune`;
  return {
    what: 'cassandra-snapshot',
    description: `Cassandra snapshot ${snapshotTag(id)} of every keyspace, archived`,
    dirs: hostBackupDirs(id),
    path: cassandraArchivePath(id, host),
    produce: [
      `cd ${data}`,
      `if [ -z "$(${find} -print)" ]; then ${NODETOOL} snapshot -t ${tag}; fi`,
      `if [ -z "$(${find} -print)" ]; then echo "nodetool snapshot left no snapshots/"${tag}" directory under "${data} >&2; exit 1; fi`,
      `${find} -print0 | tar --null -czf "$partial" -T -`,
    ],
    inputs: { upgrade: id, tag: snapshotTag(id), data: DATA_DIRS.dataDir },
    manifest: manifestPath(inventoryDir, id),
    target: options.target,
    next: 'check that Cassandra runs on this node: nodetool status',
  };
}

export const cassandraBackupStep: BackupStepBuilder = (inventory: Inventory, inventoryDir, options) => {
  const nodes = cassandraHosts(inventory);
  if (nodes.length === 0) return undefined;
  return {
    id: 'upgrade.backup-cassandra',
    title: 'Snapshot Cassandra on every node and archive the snapshot',
    hosts: nodes.map((node) => node.name),
    order: 'parallel',
    operations: (host) => [backupFileOperation(cassandraSnapshotSpec(inventoryDir, options, host.name))],
  };
};
