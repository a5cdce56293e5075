import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import yaml from 'js-yaml';
import { createLimiter } from '../../src/hosts/limiter.js';
import type { WireSecrets } from '../../src/secrets/generate.js';
import type { ChartDefinition } from '../../src/wire/charts.js';
import { withReleaseFiles } from '../../src/workloads/helm/release-files.js';
import type { Tree } from '../../src/workloads/values/tree.js';
import { type ChartFiles, type ChartTrees, chartTrees, dumpYaml } from '../../src/workloads/values.js';
import type { MatrixInventory } from './matrix.js';

/**
 * One release rendered by the REAL helm from Wire's real chart, with the values and secrets
 * files exactly as `apply` hands them to helm: chartTrees/chartFiles compute them, and
 * withReleaseFiles writes them (0600, private folder) and gives helm `-f values -f secrets`.
 */
export interface HelmRun {
  ok: boolean;
  /** helm's stdout (the manifests, for template). */
  stdout: string;
  /** The first lines that say what failed. */
  error: string;
}

export function filesOf(trees: Pick<ChartTrees, 'values' | 'secrets'>): ChartFiles {
  return {
    values: Object.keys(trees.values).length > 0 ? dumpYaml(trees.values) : '',
    secrets: trees.secrets ? dumpYaml(trees.secrets) : undefined,
  };
}

export function treesOf(
  entry: MatrixInventory,
  secrets: WireSecrets,
  bundle: string,
  chart: ChartDefinition,
): ChartTrees {
  return chartTrees(entry.inventory, secrets, bundle, chart, { inventoryDir: entry.inventoryDir });
}

function fileArguments(paths: { values: string; secrets: string | undefined }): string[] {
  return ['-f', paths.values, ...(paths.secrets ? ['-f', paths.secrets] : [])];
}

/**
 * helm runs at most this many at a time: helm template is CPU-bound, and the suite starts
 * hundreds of renders up front so that they overlap with each other, not with everything else.
 */
const limited = createLimiter(Math.max(2, Math.min(4, availableParallelism())));

async function helmRun(helm: string, args: string[]): Promise<HelmRun> {
  const result = await limited(() => execa(helm, args, { reject: false }));
  // helm template says what failed on stderr; helm lint prints [ERROR] lines (and Error:) on stdout.
  const said = args[0] === 'lint' ? result.stdout : result.stderr;
  const errorLines = said.split('\n').filter((line) => /^\s*(\[ERROR\]|Error:)/.test(line));
  if (result.exitCode !== 0 && errorLines.length === 0) errorLines.push(`exit ${result.exitCode}`);
  return { ok: result.exitCode === 0, stdout: result.stdout, error: errorLines.slice(0, 3).join(' | ') };
}

type Paths = { values: string; secrets: string | undefined };

const templateArgs = (chart: ChartDefinition, chartDir: string, paths: Paths) => [
  'template',
  chart.release,
  chartDir,
  '--namespace',
  chart.namespace,
  ...fileArguments(paths),
];

/** `helm template` and `helm lint` of the release with the files. */
export async function templateAndLint(
  helm: string,
  bundle: string,
  chart: ChartDefinition,
  files: ChartFiles,
): Promise<{ template: HelmRun; lint: HelmRun }> {
  const chartDir = join(bundle, 'charts', chart.chart);
  return withReleaseFiles(chart.release, files, async (paths) => {
    const [template, lint] = await Promise.all([
      helmRun(helm, templateArgs(chart, chartDir, paths)),
      helmRun(helm, ['lint', chartDir, '--namespace', chart.namespace, ...fileArguments(paths)]),
    ]);
    return { template, lint };
  });
}

/** Only `helm template` (the liveness probes render many variants). */
export async function template(
  helm: string,
  bundle: string,
  chart: ChartDefinition,
  files: ChartFiles,
): Promise<HelmRun> {
  const chartDir = join(bundle, 'charts', chart.chart);
  return withReleaseFiles(chart.release, files, (paths) =>
    helmRun(helm, templateArgs(chart, chartDir, paths)),
  );
}

/**
 * Several of Wire's charts put their whole `secrets` map, quoted, into a Secret entry of this
 * name, only so that `helm lint` fails without a secrets file. It says nothing about which
 * secret a service reads, so the dead-settings check does not count it.
 */
export const LINTING_DUMP = 'for_helm_linting';

/**
 * What a render says about the values it was given, for comparing two renders: without the
 * lint dump above and without the `checksum/...` annotations, which change with any value of a
 * file whether a service reads it or not.
 */
export function comparableManifests(manifests: string): string {
  return manifests
    .split('\n')
    .filter((line) => !/^\s*(for_helm_linting|checksum\/[\w.-]+):/.test(line))
    .join('\n');
}

/**
 * The rendered text with what Secrets (and ConfigMaps' binaryData) carry base64-encoded
 * decoded beside it, so that a search finds a value also where helm encoded it.
 */
export function searchableText(manifests: string): string {
  const decoded: string[] = [];
  // json: a repeated key (Wire's charts have a few) is taken as the last, as Kubernetes does.
  for (const document of yaml.loadAll(manifests, undefined, { json: true })) {
    if (typeof document !== 'object' || document === null) continue;
    const manifest = document as { kind?: string; data?: Tree; binaryData?: Tree };
    const encoded = manifest.kind === 'Secret' ? manifest.data : manifest.binaryData;
    for (const [key, value] of Object.entries(encoded ?? {}))
      if (typeof value === 'string' && key !== LINTING_DUMP)
        decoded.push(Buffer.from(value, 'base64').toString('utf8'));
  }
  return [manifests, ...decoded].join('\n');
}
