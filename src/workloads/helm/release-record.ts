import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { readTextIfExists as readText } from '../../core/read-text.js';
import { STATE_DIR } from '../../state/store.js';

/**
 * What was last applied for one release, kept beside the inventory so that `check` (and
 * `apply --plan`) can say honestly what a new apply changes:
 * - .wire-install/releases/<release>.json: chart, namespace, chart version and the checksums of
 *   the values and secrets files (the checksum only: the secrets are never kept);
 * - .wire-install/values/<release>.yaml: the values text itself (no secret in it by contract,
 *   src/workloads/values.ts), which the plan diffs and the values rules read to keep what must
 *   not change (setFederationDomain, docs/wire/known-problems.md#the-federation-domain-cannot-change; src/workloads/values/last-applied.ts).
 */
export interface ReleaseRecord {
  release: string;
  chart: string;
  namespace: string;
  chartVersion: string;
  valuesSha256: string;
  /** undefined: the release had no secrets file. */
  secretsSha256: string | undefined;
  appliedAt: string;
}

export interface ReleaseRecordPaths {
  record: string;
  values: string;
}

export function releaseRecordPaths(inventoryDir: string, release: string): ReleaseRecordPaths {
  return {
    record: join(inventoryDir, STATE_DIR, 'releases', `${release}.json`),
    values: join(inventoryDir, STATE_DIR, 'values', `${release}.yaml`),
  };
}

/** The record and the values it was applied with ('' when that file is gone: every value then differs). */
export async function readReleaseRecord(
  paths: ReleaseRecordPaths,
): Promise<(ReleaseRecord & { values: string }) | undefined> {
  const text = await readText(paths.record);
  if (text === undefined) return undefined;
  try {
    return { ...(JSON.parse(text) as ReleaseRecord), values: (await readText(paths.values)) ?? '' };
  } catch {
    // A damaged record only means we cannot tell what changed: the release counts as new.
    return undefined;
  }
}

/** Values first: a record never points at values it was not applied with. */
export async function writeReleaseRecord(
  paths: ReleaseRecordPaths,
  record: ReleaseRecord,
  values: string,
): Promise<void> {
  await writeFileAtomic(paths.values, values, { mode: 0o600 });
  await writeFileAtomic(paths.record, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}
