import type { Inventory } from '../../inventory/defaults.js';
import type { WireSecrets } from '../../secrets/generate.js';
import { chartsFor } from '../../wire/charts.js';
import { type ChartFilesOptions, chartTrees } from '../values.js';
import type { RenderedChart } from './rules.js';

/** Every chart the mode deploys with this inventory (src/wire/charts.ts, conditions applied), rendered. */
export function renderCharts(
  inventory: Inventory,
  secrets: WireSecrets,
  bundleRoot: string,
  options: ChartFilesOptions = {},
): RenderedChart[] {
  return chartsFor(inventory.mode)
    .filter((chart) => chart.when?.applies(inventory) ?? true)
    .map((chart) => ({
      release: chart.release,
      chart: chart.chart,
      ...chartTrees(inventory, secrets, bundleRoot, chart, options),
    }));
}
