import type { Finding } from '../../core/finding.js';
import type { EngineStep } from '../../engine/types.js';
import { shellQuote } from '../../hosts/become.js';
import { hostsWithRole, type Inventory } from '../../inventory/defaults.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { DATA_DIRS } from '../../wire/cassandra.js';
import { HOST_BACKUP_ROOT } from '../backups/paths.js';

/**
 * Room for the backups before any is taken (issue 7's pre-checks, docs/wire/upgrades.md#back-up-first, #free-disk-space): on each
 * Cassandra node the snapshot archive, on the PostgreSQL primary the dump, both written under
 * /var/backups/wire-install. What they need is counted as the size of the data they copy (gzip
 * and pg_dump's compression make them smaller: an upper bound, so a full disk is never found
 * half-way through the backups).
 */
export const POSTGRESQL_DATA = '/var/lib/postgresql';

export interface BackupNeeds {
  /** Data directories whose size the backups on this host need, at most. */
  dataDirs: string[];
}

/** Which data each host backs up. */
export function backupNeeds(inventory: Inventory): Map<string, BackupNeeds> {
  const needs = new Map<string, BackupNeeds>();
  const add = (host: string, dir: string) => {
    const entry = needs.get(host) ?? { dataDirs: [] };
    entry.dataDirs.push(dir);
    needs.set(host, entry);
  };
  for (const host of hostsWithRole(inventory, 'cassandra')) add(host.name, DATA_DIRS.dataDir);
  const [primary] = hostsWithRole(inventory, 'postgresql');
  if (primary) add(primary.name, POSTGRESQL_DATA);
  return needs;
}

/**
 * One round trip: the KiB under each data dir (0 when absent), then the free KiB of the
 * filesystem the backups go to (the backup root, or its nearest existing parent).
 */
export function measureScript(dataDirs: readonly string[]): string {
  const sizes = dataDirs.map((dir) => `du -sk ${shellQuote(dir)} 2>/dev/null | cut -f1 || echo 0`);
  return [
    ...sizes.map((line) => `echo "need=$(${line})"`),
    `dir=${shellQuote(HOST_BACKUP_ROOT)}; while [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done`,
    `echo "free=$(df -Pk "$dir" | awk 'NR==2 {print $4}')"`,
    'echo "on=$dir"',
  ].join('\n');
}

export function judgeBackupRoom(host: string, stdout: string): Finding[] {
  const needKiB = [...stdout.matchAll(/^need=(\d*)$/gm)].reduce(
    (sum, match) => sum + Number(match[1] || 0),
    0,
  );
  const freeKiB = Number(/^free=(\d+)$/m.exec(stdout)?.[1]);
  const on = /^on=(.*)$/m.exec(stdout)?.[1] ?? HOST_BACKUP_ROOT;
  const gib = (kib: number) => `${(kib / 1024 / 1024).toFixed(1)} GiB`;
  if (!Number.isFinite(freeKiB))
    return [
      {
        severity: 'error',
        rule: 'upgrade.backup-disk',
        host,
        message: `${host}: the free space for the backups could not be read`,
        measured: stdout.trim().split('\n').slice(-3).join(' | ') || 'no output',
        fix: `check that df works on ${host}`,
      },
    ];
  if (needKiB <= freeKiB) return [];
  return [
    {
      severity: 'error',
      rule: 'upgrade.backup-disk',
      host,
      message: `${host} has too little free space for its backups under ${HOST_BACKUP_ROOT}`,
      measured: `${gib(freeKiB)} free on the filesystem of ${on}`,
      required: `${gib(needKiB)} (the size of the data the backups copy)`,
      fix: `free space on ${host} (apt clean; remove old snapshots: nodetool clearsnapshot), or mount more disk at ${HOST_BACKUP_ROOT}`,
    },
  ];
}

export function backupDiskStep(inventory: Inventory, id: string): EngineStep | undefined {
  const needs = backupNeeds(inventory);
  if (needs.size === 0) return undefined;
  return {
    id,
    title: 'Room for the backups on the database hosts',
    hosts: inventory.hosts.filter((host) => needs.has(host.name)).map((host) => host.name),
    order: 'parallel',
    alwaysRun: true,
    operations: (host) => [
      remoteCheck('room for the backups', async (context) => {
        const result = await context.host.exec(measureScript(needs.get(host.name)?.dataDirs ?? []));
        return judgeBackupRoom(host.name, result.stdout);
      }),
    ],
  };
}
