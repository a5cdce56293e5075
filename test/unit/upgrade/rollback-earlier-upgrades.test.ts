import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_HOST } from '../../../src/hosts/local-host.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import { STATE_DIR, StateStore } from '../../../src/state/store.js';
import { addRevision, revisionsPath } from '../../../src/upgrade/charts/revisions.js';
import { rollbackUpgradedReleases } from '../../../src/upgrade/charts/rollback.js';
import { chartUpgradeStepId } from '../../../src/upgrade/charts/stage.js';
import { production } from '../../support/inventories.js';

/**
 * Every upgrade's chart steps have the same ids (upgrade.chart.<release>), so the state holds
 * the records of earlier upgrades too. A failed run of a later upgrade must report as "still
 * upgraded by an earlier run" only the releases an earlier run of THAT upgrade touched (its
 * revisions.json), not the ones an earlier, finished upgrade left behind. No helm runs here: a
 * host that is called fails the test.
 */
const noHelm: RemoteHost = {
  name: ADMIN_HOST,
  exec: async (command) => {
    throw new Error(`no command expected, got: ${command}`);
  },
  close: () => {},
};

describe('rollbackUpgradedReleases across upgrades', () => {
  it("names as 'earlier run' only releases recorded under this upgrade's id", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-rollback-earlier-'));
    const state = await StateStore.open(join(dir, STATE_DIR));
    const succeeded = (runId: string) => ({
      status: 'succeeded' as const,
      fingerprint: 'f',
      finishedAt: '2026-01-01T00:00:00.000Z',
      runId,
    });
    // A finished upgrade 5.28 -> 5.30 upgraded webapp; this upgrade's first run upgraded reaper.
    await state.record(chartUpgradeStepId('webapp'), ADMIN_HOST, succeeded('run-of-an-earlier-upgrade'));
    await state.record(chartUpgradeStepId('reaper'), ADMIN_HOST, succeeded('first-run-of-this-upgrade'));
    const target = { from: '5.30.0', to: '5.32.0', id: '5.30.0-to-5.32.0-20260301T000000' };
    await addRevision(revisionsPath(dir, target.id), {
      release: 'reaper',
      namespace: 'default',
      revision: 7,
      chart: 'reaper-5.30.0',
      recordedAt: '2026-03-01T00:00:00.000Z',
      previous: null,
    });
    const report = await rollbackUpgradedReleases({
      inventory: production(),
      inventoryDir: dir,
      target,
      runId: 'second-run-of-this-upgrade',
      host: noHelm,
    });
    expect(report.fromEarlierRuns.map((entry) => entry.release)).toEqual(['reaper']);
    expect(report.fromEarlierRuns[0]?.reason).toContain('helm rollback reaper 7 --namespace default');
    expect(report.rolledBack).toEqual([]);
    expect(report.cannotRollBack.join('\n')).toContain('No schema migration ran');
  });
});
