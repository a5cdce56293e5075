import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

/**
 * Which chart versions the values are computed for: the bundle's charts/<chart>/Chart.yaml.
 * Wire's charts change between releases (a key moves, a secret becomes required); where the
 * values must follow such a change, the overlay asks `wireAtLeast` here, so every version
 * dependency is one named call with the version it depends on.
 */
export interface BundleVersions {
  /** wire-server's chart version: the Wire release the bundle carries. */
  wireServer: string | undefined;
  /** The version of the chart being computed. */
  chart: string | undefined;
}

function readVersion(bundleRoot: string, chart: string): string | undefined {
  const file = join(bundleRoot, 'charts', chart, 'Chart.yaml');
  if (!existsSync(file)) return undefined;
  try {
    const version = (yaml.load(readFileSync(file, 'utf8')) as { version?: unknown } | null)?.version;
    return typeof version === 'string' || typeof version === 'number' ? String(version) : undefined;
  } catch {
    // An unreadable Chart.yaml is reported where the chart is installed (chart-version.ts).
    return undefined;
  }
}

export function bundleVersions(bundleRoot: string, chart: string): BundleVersions {
  return { wireServer: readVersion(bundleRoot, 'wire-server'), chart: readVersion(bundleRoot, chart) };
}

/** major.minor.patch of a chart version; a pre-release (5.30.0-develop) counts as its release. */
function parts(version: string): number[] {
  return (version.split('-')[0] ?? '').split('.').map((part) => Number.parseInt(part, 10) || 0);
}

/**
 * Whether `version` is `minimum` or newer. An unknown version (a bundle without wire-server's
 * Chart.yaml, which the bundle check refuses before anything is deployed) counts as the newest.
 */
export function versionAtLeast(version: string | undefined, minimum: string): boolean {
  if (version === undefined) return true;
  const have = parts(version);
  const want = parts(minimum);
  for (let index = 0; index < Math.max(have.length, want.length); index++) {
    const difference = (have[index] ?? 0) - (want[index] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}

/**
 * Where Wire's charts changed between the releases wire-install has rendered (the pinned
 * 5.28.0 and develop 5.30.0-develop sets), each with the first wire-server version that has
 * the change. 5.29 is a release wire-install refuses (docs/wire/upgrades.md), so a change seen
 * after 5.28 counts from 5.29.0.
 */
export const CHART_CHANGES = {
  /**
   * elasticsearch-index's jobs connect to PostgreSQL (`postgresql.*`, `secrets.pgPassword`):
   * the develop chart reads both, 5.28.0 reads neither.
   */
  indexJobsUsePostgresql: '5.29.0',
} as const;

/** Whether the bundle's wire-server has the change (an unknown version counts as the newest). */
export function wireHas(versions: BundleVersions, change: keyof typeof CHART_CHANGES): boolean {
  return versionAtLeast(versions.wireServer, CHART_CHANGES[change]);
}
