import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backupDiskStep,
  backupNeeds,
  judgeBackupRoom,
  measureScript,
} from '../../../src/upgrade/pre-checks/backup-disk.js';
import { demo, production } from '../../support/inventories.js';

describe('room for the backups (upgrade pre-check)', () => {
  it('measures with real du and df: a small data folder fits, its size counted', () => {
    const data = mkdtempSync(join(tmpdir(), 'wil-backup-room-'));
    writeFileSync(join(data, 'sstable'), Buffer.alloc(2 * 1024 * 1024));
    const out = execFileSync('bash', ['-c', measureScript([data, join(data, 'missing')])], {
      encoding: 'utf8',
    });
    const needs = [...out.matchAll(/^need=(\d*)$/gm)].map((match) => Number(match[1] || 0));
    expect(needs[0]).toBeGreaterThanOrEqual(2048);
    expect(needs[1]).toBe(0);
    expect(out).toMatch(/^free=\d+$/m);
    expect(judgeBackupRoom('datanode1', out)).toEqual([]);
  });

  it('fails a host whose data is larger than the free space, with both measured', () => {
    const [finding] = judgeBackupRoom('datanode1', 'need=52428800\nneed=1048576\nfree=20971520\non=/var\n');
    expect(finding).toMatchObject({
      severity: 'error',
      rule: 'upgrade.backup-disk',
      host: 'datanode1',
      measured: '20.0 GiB free on the filesystem of /var',
      required: '51.0 GiB (the size of the data the backups copy)',
    });
    expect(judgeBackupRoom('datanode1', 'garbage')[0]?.message).toContain('could not be read');
  });

  it('runs on the Cassandra nodes and the PostgreSQL primary only; a demo has none', () => {
    const needs = backupNeeds(production());
    expect([...needs.keys()].sort()).toEqual(['datanode1', 'datanode2', 'datanode3']);
    expect(needs.get('datanode1')?.dataDirs).toEqual(['/mnt/cassandra/data', '/var/lib/postgresql']);
    expect(needs.get('datanode2')?.dataDirs).toEqual(['/mnt/cassandra/data']);
    expect(backupDiskStep(demo(), 'x')).toBeUndefined();
  });
});
