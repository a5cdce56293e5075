import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBackupReport } from '../../../src/upgrade/backups/backup-file.js';
import {
  type BackupEntry,
  manifestLines,
  manifestPath,
  readBackupManifest,
  recordBackup,
  withEntry,
} from '../../../src/upgrade/backups/manifest.js';

const target = { from: '5.28.0', to: '5.32.0', id: '5.28.0-to-5.32.0-20250102T030405' };
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

const entry = (over: Partial<BackupEntry> = {}): BackupEntry => ({
  what: 'postgresql-dump',
  host: 'datanode1',
  path: '/var/backups/wire-install/x/postgresql-wire-server.dump',
  bytes: 100,
  sha256: SHA_A,
  when: '2025-01-02T03:04:05.000Z',
  ...over,
});

describe('the backup manifest', () => {
  it('starts with the upgrade it belongs to, keeps one entry per backup and host', () => {
    const first = withEntry(undefined, target, entry());
    expect(first.changed).toBe(true);
    expect(first.manifest).toMatchObject({ upgrade: target.id, from: '5.28.0', to: '5.32.0' });
    // The same file seen again (a resumed upgrade): nothing changes, the first time is kept.
    const again = withEntry(first.manifest, target, entry({ when: '2030-01-01T00:00:00.000Z' }));
    expect(again.changed).toBe(false);
    expect(again.manifest.backups).toEqual([entry()]);
    // Another host's backup of the same kind is its own entry; a different file replaces.
    const other = withEntry(again.manifest, target, entry({ what: 'cassandra-snapshot', host: 'datanode2' }));
    const replaced = withEntry(other.manifest, target, entry({ sha256: SHA_B, bytes: 7 }));
    expect(replaced.changed).toBe(true);
    expect(replaced.manifest.backups.map((b) => `${b.what} ${b.host} ${b.bytes}`)).toEqual([
      'cassandra-snapshot datanode2 100',
      'postgresql-dump datanode1 7',
    ]);
    expect(manifestLines(replaced.manifest)[1]).toBe(
      `postgresql-dump on datanode1: ${entry().path} (7 bytes, sha256 bbbbbbbbbbbb…, ${entry().when})`,
    );
  });

  it('is written 0600 and keeps every entry when hosts record at the same time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-manifest-'));
    const path = manifestPath(dir, target.id);
    expect(path).toBe(join(dir, '.wire-install', 'backups', target.id, 'manifest.json'));
    expect(await readBackupManifest(path)).toBeUndefined();
    const hosts = ['datanode1', 'datanode2', 'datanode3'];
    const changed = await Promise.all(
      hosts.map((host) => recordBackup(path, target, entry({ what: 'cassandra-snapshot', host }))),
    );
    expect(changed).toEqual([true, true, true]);
    const manifest = await readBackupManifest(path);
    expect(manifest?.backups.map((b) => b.host).sort()).toEqual(hosts);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await recordBackup(path, target, entry({ what: 'cassandra-snapshot', host: 'datanode2' }))).toBe(
      false,
    );
  });
});

describe("a host's report of its backup file", () => {
  const path = '/var/backups/wire-install/x/rabbitmq-definitions.json';

  it('gives the size, checksum and time the file was written', () => {
    const report = parseBackupReport(
      'datanode1',
      path,
      `some noise\nwire-install-backup 2048 1735787045 ${SHA_A} ${SHA_A}\n`,
    );
    expect(report).toEqual({ bytes: 2048, sha256: SHA_A, when: '2025-01-02T03:04:05.000Z' });
  });

  it('refuses a file whose checksum changed since it was taken, and output it cannot read', () => {
    expect(() =>
      parseBackupReport('datanode1', path, `wire-install-backup 2048 1735787045 ${SHA_B} ${SHA_A}\n`),
    ).toThrow(`datanode1: ${path} changed since it was taken (sha256 ${SHA_B}, recorded ${SHA_A})`);
    expect(() => parseBackupReport('datanode1', path, 'stat: cannot stat\n')).toThrow(
      `datanode1: could not read the size and checksum of ${path}`,
    );
  });
});
