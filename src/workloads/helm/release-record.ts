import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { STATE_DIR } from '../../state/store.js';

/**
 * What was last applied for one release, kept beside the inventory in
 * .wire-install/releases/<release>.json so that `check` (and `apply --plan`) can say honestly
 * what a new apply changes: the chart version, the values file (no secret in it by
 * contract: src/workloads/values.ts) and the checksums of both files. Never the secrets.
 */
export interface ReleaseRecord {
  release: string;
  chart: string;
  namespace: string;
  chartVersion: string;
  valuesSha256: string;
  /** undefined: the release had no secrets file. */
  secretsSha256: string | undefined;
  values: string;
  appliedAt: string;
}

export function releaseRecordPath(inventoryDir: string, release: string): string {
  return join(inventoryDir, STATE_DIR, 'releases', `${release}.json`);
}

export async function readReleaseRecord(path: string): Promise<ReleaseRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as ReleaseRecord;
  } catch {
    // A damaged record only means we cannot tell what changed: treat the release as new.
    return undefined;
  }
}

export async function writeReleaseRecord(path: string, record: ReleaseRecord): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}
