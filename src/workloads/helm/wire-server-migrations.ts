import { CommandFailedError } from '../../operations/run.js';
import type { ChartDefinition } from '../../wire/charts.js';
import { migrationError } from '../migrations/failure-report.js';
import { watchMigrations } from '../migrations/watch.js';
import type { HelmRelease } from './release-operation.js';

/**
 * What runs beside `helm upgrade --install wire-server`: the migrations watcher (docs/wire/migrations.md#migration-jobs). Helm
 * alone only says "job failed: BackoffLimitExceeded" or "timed out waiting for the condition";
 * the watcher names the failing init container, its log tail and the likely causes, and that
 * is the error shown when helm fails. Jobs older than this helm run are an earlier install's.
 * When kubectl itself cannot answer, the watcher has nothing to add: helm's failure stands.
 * No time limit of its own: helm's --timeout applies to each hook and to the wait separately,
 * so a healthy install can outlast it; helm ending (the abort) is the watcher's end.
 */
export function watchWireServerMigrations(
  chart: ChartDefinition,
  kubeconfig: string,
): NonNullable<HelmRelease['alongside']> {
  return async (host, signal) => {
    try {
      const report = await watchMigrations(host, kubeconfig, chart.namespace, {
        signal,
        since: new Date(),
        timeoutMs: Number.POSITIVE_INFINITY,
      });
      if (report.failure) throw migrationError(`the ${chart.release} migrations failed`, report.failure);
    } catch (error) {
      if (error instanceof CommandFailedError) return;
      throw error;
    }
  };
}
