import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { inputError } from '../core/errors.js';
import type { Inventory } from '../inventory/defaults.js';
import type { WireSecrets } from '../secrets/generate.js';
import type { ChartDefinition } from '../steps/workloads/charts.js';
import { readCertificate } from './values/certificate-files.js';
import type { ValuesContext } from './values/context.js';
import { CHART_RENDERERS } from './values/renderers.js';
import { isTree, overlay, type Tree } from './values/tree.js';

/**
 * The two files helm gets for one release: values (no secret in it: it may be shown, diffed
 * and kept for the next plan) and secrets (or none), both YAML text.
 *
 * Wire's example values for the chart and mode from the bundle (values/<chart>/prod- or
 * demo-values.example.yaml, as helm-operations.sh and WIAB start from; none: empty), overlaid
 * with what the inventory determines (FACTS 5.3); the secrets file only from secrets.yaml
 * (FACTS 5.4). Each chart's overlay lives in src/workloads/values/.
 */
export interface ChartFiles {
  values: string;
  secrets: string | undefined;
}

export interface ChartFilesOptions {
  /** The inventory's folder: bring-your-own certificate paths and the self-signed certificate resolve against it. */
  inventoryDir?: string;
  /** The ingress certificate to use instead of reading it from the files (tests, callers that have it). */
  certificate?: { chain: string; key: string };
}

export function examplePath(bundleRoot: string, chart: string, mode: Inventory['mode']): string {
  return join(bundleRoot, 'values', chart, `${mode === 'demo' ? 'demo' : 'prod'}-values.example.yaml`);
}

/** The bundle's example values, parsed; a file that is not a YAML map is bad input (exit 2), named. */
export function readExample(path: string): Tree {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = yaml.load(readFileSync(path, 'utf8'));
  } catch (error) {
    throw inputError({
      what: `the bundle's example values ${path} are not valid YAML`,
      evidence: [(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''],
      next: 'unpack the offline bundle again (bundle.path) or fix the file',
    });
  }
  if (parsed === undefined || parsed === null) return {};
  if (!isTree(parsed))
    throw inputError({
      what: `the bundle's example values ${path} are not a YAML map`,
      evidence: [`found ${Array.isArray(parsed) ? 'a list' : typeof parsed} at the top level`],
      next: 'unpack the offline bundle again (bundle.path) or fix the file',
    });
  return parsed;
}

/** YAML as helm reads it; long PEM and URL lines are never folded, anchors never used. */
export function dumpYaml(tree: Tree): string {
  return yaml.dump(tree, { lineWidth: -1, noRefs: true });
}

/** Both trees, before they become text (the consistency rules read these). */
export function chartTrees(
  inventory: Inventory,
  secrets: WireSecrets,
  bundleRoot: string,
  chart: ChartDefinition,
  options: ChartFilesOptions = {},
): { values: Tree; secrets: Tree | undefined } {
  const example = readExample(examplePath(bundleRoot, chart.chart, inventory.mode));
  const certificate =
    options.certificate ??
    (options.inventoryDir !== undefined ? readCertificate(inventory, options.inventoryDir) : undefined);
  const context: ValuesContext = { inventory, secrets, example, certificate };
  const renderer = CHART_RENDERERS[chart.chart];
  if (!renderer) return { values: example, secrets: undefined };
  const rendered = renderer(context);
  return { values: overlay(example, rendered.values), secrets: rendered.secrets };
}

export function chartFiles(
  inventory: Inventory,
  secrets: WireSecrets,
  bundleRoot: string,
  chart: ChartDefinition,
  options: ChartFilesOptions = {},
): ChartFiles {
  const trees = chartTrees(inventory, secrets, bundleRoot, chart, options);
  return {
    values: Object.keys(trees.values).length > 0 ? dumpYaml(trees.values) : '',
    secrets: trees.secrets ? dumpYaml(trees.secrets) : undefined,
  };
}
