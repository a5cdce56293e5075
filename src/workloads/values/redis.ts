import type { Inventory } from '../../inventory/defaults.js';
import { chartsFor } from '../../wire/charts.js';

/**
 * The redis Service gundeck must use. redis comes from Wire's redis-ephemeral chart, on its own
 * or as databases-ephemeral's sub-chart, and its Service takes helm's usual full name (checked
 * by rendering Wire's charts, 5.28 and develop): `<release>-redis-ephemeral`, or the release
 * name alone when it already contains `redis-ephemeral`. With wire-install's release names:
 * `databases-ephemeral-redis-ephemeral` (as wire-server-deploy's example values say) and
 * `redis-ephemeral`.
 */
export const REDIS_CHARTS: readonly string[] = ['databases-ephemeral', 'redis-ephemeral'];

export function redisServiceName(release: string): string {
  return release.includes('redis-ephemeral') ? release : `${release}-redis-ephemeral`;
}

/** The release that brings redis in a mode's chart list (src/wire/charts.ts), or undefined. */
export function redisRelease(mode: Inventory['mode']): string | undefined {
  return chartsFor(mode).find((chart) => REDIS_CHARTS.includes(chart.chart))?.release;
}

export function redisHostFor(mode: Inventory['mode']): string {
  return redisServiceName(redisRelease(mode) ?? 'redis-ephemeral');
}
