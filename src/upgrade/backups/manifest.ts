import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { readTextIfExists } from '../../core/read-text.js';
import { STATE_DIR } from '../../state/store.js';
import type { UpgradeTarget } from '../types.js';

/**
 * The record of one upgrade's backups: `.wire-install/backups/<id>/manifest.json` on the admin
 * host, one entry per backup (what, where, how big, its sha256, when it was taken). Each backup
 * step adds its entries as it ends; `upgrade` shows the manifest in its summary and
 * docs/restore.md starts from it. The admin host writes it (the hosts report their file's size
 * and checksum in their command output), atomically, mode 0600 in a 0700 folder: it names where
 * secrets are kept.
 */

export type BackupKind =
  | 'installation-files'
  | 'cassandra-snapshot'
  | 'postgresql-dump'
  | 'rabbitmq-definitions';

export interface BackupEntry {
  what: BackupKind;
  /** Inventory host name, or "admin host". */
  host: string;
  /** Absolute path on that host. */
  path: string;
  bytes: number;
  sha256: string;
  /** When the file was written (its modification time), ISO 8601. */
  when: string;
}

export interface BackupManifest {
  upgrade: string;
  from: string;
  to: string;
  backups: BackupEntry[];
}

/** `<inventory dir>/.wire-install/backups/<id>`: the admin host's backups of one upgrade. */
export function adminBackupDir(inventoryDir: string, id: string): string {
  return join(inventoryDir, STATE_DIR, 'backups', id);
}

export function manifestPath(inventoryDir: string, id: string): string {
  return join(adminBackupDir(inventoryDir, id), 'manifest.json');
}

/** The manifest of an upgrade, or undefined when no backup has been recorded yet. */
export async function readBackupManifest(path: string): Promise<BackupManifest | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  const parsed = JSON.parse(text) as BackupManifest;
  if (!Array.isArray(parsed.backups)) throw new Error(`${path}: not a backup manifest (no "backups" list)`);
  return parsed;
}

const sameBackup = (a: BackupEntry, b: BackupEntry) => a.what === b.what && a.host === b.host;

/**
 * The manifest with `entry` in it: one entry per backup and host. The same file seen again (a
 * resumed upgrade) changes nothing; a different file in its place replaces the entry.
 */
export function withEntry(
  manifest: BackupManifest | undefined,
  target: UpgradeTarget,
  entry: BackupEntry,
): { manifest: BackupManifest; changed: boolean } {
  const base = manifest ?? { upgrade: target.id, from: target.from, to: target.to, backups: [] };
  const existing = base.backups.find((candidate) => sameBackup(candidate, entry));
  if (
    existing &&
    existing.path === entry.path &&
    existing.sha256 === entry.sha256 &&
    existing.bytes === entry.bytes
  )
    return { manifest: base, changed: false };
  const backups = [...base.backups.filter((candidate) => !sameBackup(candidate, entry)), entry];
  return { manifest: { ...base, backups }, changed: true };
}

/** Steps on several hosts record at once: one read-modify-write at a time per manifest file. */
const queues = new Map<string, Promise<unknown>>();

/** Adds `entry` to the manifest at `path`; true when the manifest changed. */
export function recordBackup(path: string, target: UpgradeTarget, entry: BackupEntry): Promise<boolean> {
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(async () => {
      const { manifest, changed } = withEntry(await readBackupManifest(path), target, entry);
      if (changed) await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
      return changed;
    });
  queues.set(path, next);
  return next;
}

/** One line per backup, for the upgrade's summary. */
export function manifestLines(manifest: BackupManifest): string[] {
  return manifest.backups.map(
    (entry) =>
      `${entry.what} on ${entry.host}: ${entry.path} (${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…, ${entry.when})`,
  );
}
