import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { readTextIfExists } from '../../core/read-text.js';
import { STATE_DIR } from '../../state/store.js';
import type { ReleaseRecord } from '../../workloads/helm/release-record.js';

/**
 * The way back of one upgrade: for every release, the helm revision it was at before this
 * upgrade touched it, in `.wire-install/upgrades/<target.id>/revisions.json`. The first record
 * of a release wins: a resumed upgrade (same id) must not replace it with the revision its own
 * failed attempt left behind. With it, the release record apply keeps
 * (src/workloads/helm/release-record.ts), so that after a rollback `apply --plan` compares with
 * what really runs again.
 */
export interface RecordedRevision {
  release: string;
  namespace: string;
  /** null: the release was not installed before this upgrade (nothing to roll back to). */
  revision: number | null;
  /** The chart helm reported for that revision, e.g. "wire-server-5.28.0". */
  chart: string | undefined;
  recordedAt: string;
  /** apply's release record and values at that time (no secret in either), or null when there was none. */
  previous: { record: ReleaseRecord; values: string } | null;
}

export interface RevisionsFile {
  version: 1;
  releases: Record<string, RecordedRevision>;
}

export function revisionsPath(inventoryDir: string, upgradeId: string): string {
  return join(inventoryDir, STATE_DIR, 'upgrades', upgradeId, 'revisions.json');
}

export async function readRevisions(path: string): Promise<RevisionsFile> {
  const text = await readTextIfExists(path);
  if (text === undefined) return { version: 1, releases: {} };
  const parsed = JSON.parse(text) as RevisionsFile;
  if (parsed.version !== 1 || typeof parsed.releases !== 'object' || parsed.releases === null)
    throw new Error(`${path}: not a revisions file of this version of wire-install`);
  return parsed;
}

/** Adds one release's record (atomically); an earlier record of the same release is kept. */
export async function addRevision(path: string, entry: RecordedRevision): Promise<RecordedRevision> {
  const file = await readRevisions(path);
  const earlier = file.releases[entry.release];
  if (earlier) return earlier;
  file.releases[entry.release] = entry;
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return entry;
}
