/**
 * Where an upgrade's backups go on the database hosts: /var/backups/wire-install/<id>/, root's
 * and mode 0700 (a dump holds every user's data; the definitions hold password hashes). One
 * folder per upgrade, so the backups of an earlier upgrade are never overwritten.
 */
export const HOST_BACKUP_ROOT = '/var/backups/wire-install';

export const hostBackupDir = (id: string): string => `${HOST_BACKUP_ROOT}/${id}`;

/** The folders a host backup needs, outermost first (each created 0700). */
export const hostBackupDirs = (id: string): string[] => [HOST_BACKUP_ROOT, hostBackupDir(id)];
