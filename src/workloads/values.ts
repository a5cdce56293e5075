import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { inputError } from '../core/errors.js';
import { loadYamlLimited } from '../core/yaml-limits.js';
import type { Inventory } from '../inventory/defaults.js';
import type { WireSecrets } from '../secrets/generate.js';
import type { ChartDefinition } from '../wire/charts.js';
import { readCertificate } from './values/certificate-files.js';
import { bundleVersions } from './values/chart-versions.js';
import type { ChartOverlay, ValuesContext } from './values/context.js';
import { readFederationCA } from './values/federation-ca.js';
import { CHART_RENDERERS } from './values/renderers.js';
import { isTree, overlay, type Tree } from './values/tree.js';

/**
 * The two files helm gets for one release: values (no secret in it: it may be shown, diffed
 * and kept for the next plan) and secrets (or none), both YAML text.
 *
 * Wire's example values for the chart and mode from the bundle (values/<chart>/prod- or
 * demo-values.example.yaml, as helm-operations.sh and WIAB start from; none: empty), overlaid
 * with what the inventory determines (docs/wire/charts-values-secrets.md#values); the secrets file only from secrets.yaml
 * (docs/wire/charts-values-secrets.md#secrets). Each chart's overlay lives in src/workloads/values/.
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
  /** The federation client CA (PEM) to use instead of reading wire.federation.clientCA (tests). */
  federationCA?: string;
}

export function examplePath(
  bundleRoot: string,
  chart: string,
  mode: Inventory['mode'],
  kind: 'values' | 'secrets' = 'values',
): string {
  return join(bundleRoot, 'values', chart, `${mode === 'demo' ? 'demo' : 'prod'}-${kind}.example.yaml`);
}

/** The bundle's example values, parsed; a file that is not a YAML map is bad input (exit 2), named. */
export function readExample(path: string): Tree {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    // A bundle is input like any other: the YAML limits hold (an alias bomb is refused here).
    parsed = loadYamlLimited(readFileSync(path, 'utf8'));
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

/** Both trees of a release, before they become text, with where they came from. */
export interface ChartTrees {
  values: Tree;
  secrets: Tree | undefined;
  /** Wire's example values and secrets for the chart and mode ({} when the bundle has none). */
  example: { values: Tree; secrets: Tree };
  /** What wire-install sets over the examples (the chart's overlay, src/workloads/values/). */
  set: ChartOverlay;
}

/**
 * The release's values and secrets: Wire's example values and example secrets for the chart
 * and mode, each overlaid with what wire-install sets (every placeholder of the secrets
 * example replaced from secrets.yaml, or removed with the reason in the overlay).
 */
export function chartTrees(
  inventory: Inventory,
  secrets: WireSecrets,
  bundleRoot: string,
  chart: ChartDefinition,
  options: ChartFilesOptions = {},
): ChartTrees {
  const example = {
    values: readExample(examplePath(bundleRoot, chart.chart, inventory.mode)),
    secrets: readExample(examplePath(bundleRoot, chart.chart, inventory.mode, 'secrets')),
  };
  const certificate =
    options.certificate ??
    (options.inventoryDir !== undefined ? readCertificate(inventory, options.inventoryDir) : undefined);
  const context: ValuesContext = {
    inventory,
    secrets,
    example: example.values,
    exampleSecrets: example.secrets,
    certificate,
    federationCA:
      options.federationCA ??
      (options.inventoryDir !== undefined ? readFederationCA(inventory, options.inventoryDir) : undefined),
    versions: bundleVersions(bundleRoot, chart.chart),
  };
  const renderer = CHART_RENDERERS[chart.chart];
  const set: ChartOverlay = renderer ? renderer(context) : { values: {}, secrets: undefined };
  const secretsTree = overlay(example.secrets, set.secrets ?? {});
  return {
    values: overlay(example.values, set.values),
    // No secrets file when nothing is left in it (cert-manager issues the certificate).
    secrets: hasLeaf(secretsTree) ? secretsTree : undefined,
    example,
    set,
  };
}

function hasLeaf(tree: unknown): boolean {
  return isTree(tree) ? Object.values(tree).some(hasLeaf) : tree !== undefined;
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
