import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WireInstallError } from '../../core/errors.js';
import { loadYamlLimited } from '../../core/yaml-limits.js';

/**
 * The version of a chart as the bundle ships it (charts/<chart>/Chart.yaml: the bundle's charts
 * are pulled and untarred, docs/wire/install-sequences.md#offline-bundle; versions from wire-builds' build.json, docs/wire/charts-values-secrets.md#charts-and-versions). It is
 * part of each release's fingerprint, so a new bundle re-installs the charts it changed.
 */
export function chartDirectory(bundleRoot: string, chart: string): string {
  return join(bundleRoot, 'charts', chart);
}

export function chartVersion(bundleRoot: string, chart: string): string {
  const file = join(chartDirectory(bundleRoot, chart), 'Chart.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new WireInstallError({
      what: `the bundle has no chart ${chart}: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      next: 'unpack the offline bundle again (its charts/ holds every chart Wire installs) and check bundle.path',
    });
  }
  let parsed: unknown;
  try {
    parsed = loadYamlLimited(text);
  } catch {
    parsed = undefined;
  }
  const version = (parsed as { version?: unknown } | undefined)?.version;
  if (typeof version !== 'string' && typeof version !== 'number')
    throw new WireInstallError({
      what: `${file}: no version (Chart.yaml must have a top-level version: string)`,
      next: 'unpack the offline bundle again',
    });
  return String(version);
}
