import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { inputError } from '../core/errors.js';
import { readTextIfExists } from '../core/read-text.js';
import { compactTimestamp } from '../engine/apply-run.js';
import { STATE_DIR } from '../state/store.js';
import type { UpgradeTarget } from './types.js';

/**
 * `.wire-install/upgrades/current.json`: the upgrade under way (or the last one). A run that
 * goes to the same version again is a resume: it keeps the id, so the backups taken before
 * anything changed are not taken again over a half-upgraded installation, and the revisions
 * recorded before the first chart upgrade stay the ones a rollback returns to.
 */
export interface UpgradeRecord extends UpgradeTarget {
  startedAt: string;
  status: 'running' | 'failed' | 'rolled-back' | 'succeeded';
  finishedAt?: string;
}

export const upgradeRecordPath = (inventoryDir: string) =>
  join(inventoryDir, STATE_DIR, 'upgrades', 'current.json');

export async function readUpgradeRecord(inventoryDir: string): Promise<UpgradeRecord | undefined> {
  const path = upgradeRecordPath(inventoryDir);
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as UpgradeRecord;
  } catch (error) {
    throw inputError({
      what: `${path} cannot be read: ${(error as Error).message}`,
      next: 'restore it from the backup of the installation files, or move it away: the next upgrade then starts a new one (its backups are taken again)',
    });
  }
}

export async function writeUpgradeRecord(inventoryDir: string, record: UpgradeRecord): Promise<void> {
  await writeFileAtomic(upgradeRecordPath(inventoryDir), `${JSON.stringify(record, null, 2)}\n`, {
    mode: 0o600,
  });
}

/** The same target as an unfinished upgrade continues it; anything else starts a new one. */
export function targetFor(
  from: string,
  to: string,
  previous: UpgradeRecord | undefined,
  now = new Date(),
): UpgradeTarget {
  if (previous && previous.from === from && previous.to === to && previous.status !== 'succeeded')
    return { from, to, id: previous.id };
  return { from, to, id: `${from}-to-${to}-${compactTimestamp(now)}` };
}
