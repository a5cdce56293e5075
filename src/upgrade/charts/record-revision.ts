import { current, type Operation } from '../../operations/types.js';
import type { ChartDefinition } from '../../wire/charts.js';
import { readReleaseRecord, releaseRecordPaths } from '../../workloads/helm/release-record.js';
import { helmReleaseStatus } from './helm-status.js';
import { addRevision, readRevisions, revisionsPath } from './revisions.js';

/**
 * The first operation of every `upgrade.chart.<release>` step, before the helm upgrade: keep
 * the revision the release is at (helm status), the way back if the upgrade fails
 * (rollback.ts). Recorded once per upgrade: when a resumed run repeats the step, the revision
 * from before the first attempt stays. The plan does not ask helm; it only says it will record.
 */
export function recordRevisionOperation(spec: {
  chart: ChartDefinition;
  kubeconfig: string;
  inventoryDir: string;
  upgradeId: string;
}): Operation {
  const { chart } = spec;
  const path = revisionsPath(spec.inventoryDir, spec.upgradeId);
  const recordedNote = (revision: number | null) =>
    revision === null
      ? `${chart.release} was not installed before this upgrade (recorded)`
      : `${chart.release} was at helm revision ${revision} before this upgrade (recorded)`;
  return {
    kind: 'helm-revision',
    target: `${chart.release} (the helm revision before upgrade ${spec.upgradeId})`,
    inputs: { release: chart.release, namespace: chart.namespace, upgrade: spec.upgradeId },
    async check() {
      const earlier = (await readRevisions(path)).releases[chart.release];
      if (earlier) return current([recordedNote(earlier.revision)]);
      return { changes: [`record the helm revision of ${chart.release} (the way back)`], notes: [] };
    },
    async apply(context) {
      const earlier = (await readRevisions(path)).releases[chart.release];
      if (earlier) return current([recordedNote(earlier.revision)]);
      const status = await helmReleaseStatus(context.host, chart.release, chart.namespace, spec.kubeconfig);
      const previous = await readReleaseRecord(releaseRecordPaths(spec.inventoryDir, chart.release));
      const entry = await addRevision(path, {
        release: chart.release,
        namespace: chart.namespace,
        revision: status.revision,
        chart: status.chart,
        recordedAt: new Date().toISOString(),
        previous: previous ? { record: withoutValues(previous), values: previous.values } : null,
      });
      return {
        changes: [
          entry.revision === null
            ? `recorded: ${chart.release} is not installed yet`
            : `recorded: ${chart.release} is at helm revision ${entry.revision}`,
        ],
        notes: [],
      };
    },
  };
}

function withoutValues<T extends { values: string }>(record: T): Omit<T, 'values'> {
  const { values: _values, ...rest } = record;
  return rest;
}
