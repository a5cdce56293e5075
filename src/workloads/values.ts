import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../inventory/defaults.js';
import type { WireSecrets } from '../secrets/generate.js';
import type { ChartDefinition } from '../steps/workloads/charts.js';

/**
 * The two files helm gets for one release: values (no secret in it: it may be shown, diffed
 * and kept for the next plan) and secrets (or none), both YAML text.
 *
 * INTERFACE STUB (being written): for now the bundle's example values for the mode, unchanged,
 * and no secrets. The values issue replaces the body with Wire's example values overlaid with
 * what the inventory and secrets.yaml determine (FACTS 5.3, 5.4).
 */
export interface ChartFiles {
  values: string;
  secrets: string | undefined;
}

export function chartFiles(
  inventory: Inventory,
  _secrets: WireSecrets,
  bundleRoot: string,
  chart: ChartDefinition,
): ChartFiles {
  const example = join(
    bundleRoot,
    'values',
    chart.chart,
    `${inventory.mode === 'demo' ? 'demo' : 'prod'}-values.example.yaml`,
  );
  return { values: existsSync(example) ? readFileSync(example, 'utf8') : '', secrets: undefined };
}
