import type { Inventory } from '../../inventory/defaults.js';
import { chartsFor } from '../../steps/workloads/charts.js';

/**
 * The redis service gundeck must use for the chart that provides redis (FACTS 5.1, 11.5): the
 * redis-ephemeral chart names its service `redis-ephemeral` (fullnameOverride), also when it
 * comes in as databases-ephemeral's sub-chart. WSD's example value
 * `databases-ephemeral-redis-ephemeral` is the bug Wire's 5.24 config reference names.
 */
export const REDIS_HOST_OF_CHART: Record<string, string> = {
  'databases-ephemeral': 'redis-ephemeral',
  'redis-ephemeral': 'redis-ephemeral',
};

/** The chart that brings redis in a mode's chart list (charts.ts), or undefined. */
export function redisChart(mode: Inventory['mode']): string | undefined {
  return chartsFor(mode).find((chart) => chart.chart in REDIS_HOST_OF_CHART)?.chart;
}

export function redisHostFor(mode: Inventory['mode']): string {
  const chart = redisChart(mode);
  return chart ? (REDIS_HOST_OF_CHART[chart] ?? 'redis-ephemeral') : 'redis-ephemeral';
}
