import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import type { Inventory } from '../../inventory/defaults.js';
import type { Operation } from '../../operations/types.js';
import type { WireSecrets } from '../../secrets/generate.js';
import { secretValues } from '../../secrets/redact.js';
import type { ChartDefinition } from '../../wire/charts.js';
import { chartFiles } from '../values.js';
import { chartVersion } from './chart-version.js';
import { type HelmRelease, helmReleaseOperation } from './release-operation.js';
import { releaseRecordPaths } from './release-record.js';
import { DEFAULT_HELM_TIMEOUT } from './timeout.js';
import { watchWireServerMigrations } from './wire-server-migrations.js';

/**
 * The helm release of one chart: what apply's chart steps (`workloads.<release>`,
 * src/steps/workloads/chart-step.ts) run, in the order the plan gives (src/wire/charts.ts:
 * Wire's order, cert-manager before nginx-ingress-services, calling last), and what the
 * upgrade's chart steps (src/upgrade/charts/stage.ts) run with the new bundle.
 */
type Alongside = (
  chart: ChartDefinition,
  kubeconfig: string,
  timeout: string,
) => NonNullable<HelmRelease['alongside']>;

/** wire-server's migrations are watched while helm installs it (docs/wire/migrations.md#migration-jobs). */
const ALONGSIDE: Record<string, Alongside> = {
  'wire-server': (chart, kubeconfig) => watchWireServerMigrations(chart, kubeconfig),
};

/** What a release reads besides the inventory and the chart (a step's options have them). */
export interface ChartReleaseOptions {
  /** The unpacked bundle: the chart and its example values. */
  bundleRoot: string;
  secrets: WireSecrets;
  /** The inventory's folder: the admin kubeconfig and the release records are beside it. */
  inventoryDir: string;
  /** --helm-timeout; default 15m. */
  helmTimeout?: string | undefined;
}

/** `helm upgrade --install --wait` of the chart's release on the admin host, with what runs alongside it (the migrations watcher for wire-server). */
export function chartReleaseOperation(
  inventory: Inventory,
  chart: ChartDefinition,
  options: ChartReleaseOptions,
): Operation {
  const { bundleRoot, secrets } = options;
  const alongside = ALONGSIDE[chart.release];
  const kubeconfig = adminKubeconfigPath(inventory, options.inventoryDir);
  const timeout = options.helmTimeout ?? DEFAULT_HELM_TIMEOUT;
  return helmReleaseOperation({
    chart,
    bundleRoot,
    chartVersion: chartVersion(bundleRoot, chart.chart),
    // inventoryDir: bring-your-own and self-signed certificates are read relative to it.
    files: chartFiles(inventory, secrets, bundleRoot, chart, { inventoryDir: options.inventoryDir }),
    kubeconfig,
    timeout,
    record: releaseRecordPaths(options.inventoryDir, chart.release),
    secretValues: secretValues(secrets),
    ...(alongside ? { alongside: alongside(chart, kubeconfig, timeout) } : {}),
  });
}
