import { inputError } from '../../core/errors.js';

/**
 * How long `helm upgrade --wait` waits for one release. Wire's helm-operations.sh gives every
 * release 15 minutes (docs/wire/charts-values-secrets.md#install-order, docs/wire/migrations.md#migration-jobs): wire-server's pre-install hooks run the Cassandra schema
 * migrations, which take minutes; helm's own default (5m) is too short for them.
 */
export const DEFAULT_HELM_TIMEOUT = '15m';

/** Go durations as helm reads them, limited to hours, minutes and seconds (e.g. 15m, 1h30m, 900s). */
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** A duration parseHelmTimeout accepted, in milliseconds (the migrations watcher waits as long as helm). */
export function helmTimeoutMs(duration: string): number {
  const match = DURATION.exec(duration);
  if (!match) throw new Error(`not a helm duration: ${duration}`);
  return (Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)) * 1000;
}

/** --helm-timeout: a helm duration, or bad input (exit 2) naming the flag, the rule and the value. */
export function parseHelmTimeout(value: unknown): string {
  if (value === undefined) return DEFAULT_HELM_TIMEOUT;
  const text = String(value).trim();
  const match = DURATION.exec(text);
  const seconds = match
    ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)
    : 0;
  if (!match || text === '' || seconds === 0)
    throw inputError({
      what: `--helm-timeout ${JSON.stringify(text)}: must be a positive duration in hours, minutes and seconds`,
      next: `e.g. --helm-timeout 15m (the default), 30m or 1h30m`,
    });
  return text;
}
