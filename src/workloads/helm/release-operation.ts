import { existsSync } from 'node:fs';
import { WireInstallError } from '../../core/errors.js';
import { ADMIN_HOST } from '../../hosts/local-host.js';
import type { ExecResult, RemoteHost } from '../../hosts/types.js';
import type { Operation, OperationContext } from '../../operations/types.js';
import { sha256Text } from '../../state/fingerprint.js';
import type { ChartDefinition } from '../../wire/charts.js';
import type { ChartFiles } from '../values.js';
import { chartDirectory } from './chart-version.js';
import { helmUpgradeCommand } from './helm-command.js';
import { helmFailure } from './helm-failure.js';
import { withReleaseFiles } from './release-files.js';
import {
  type ReleaseRecord,
  type ReleaseRecordPaths,
  readReleaseRecord,
  writeReleaseRecord,
} from './release-record.js';
import { changedValuePaths, describePaths } from './values-diff.js';

/**
 * One chart as one operation on the admin host: `helm upgrade --install --wait` (docs/wire/charts-values-secrets.md#install-order).
 *
 * - inputs (the step's fingerprint) hold the chart version and the checksums of the values and
 *   secrets files, so the engine skips a release whose chart and files did not change;
 * - check compares with what was last applied (release-record.ts) and says what apply would
 *   do: install, or upgrade with the changed value paths; secrets only as "changed";
 * - apply always runs helm (helm upgrade is itself idempotent; the engine only calls apply
 *   when the fingerprint changed, the last run failed, or --force asks for it) and records
 *   what it applied once helm succeeded.
 */
export interface HelmRelease {
  chart: ChartDefinition;
  bundleRoot: string;
  chartVersion: string;
  files: ChartFiles;
  kubeconfig: string;
  timeout: string;
  record: ReleaseRecordPaths;
  /** Every secret value, replaced in helm's output before it is shown (secrets/redact.ts). */
  secretValues: readonly string[];
  /**
   * Runs while helm runs (the wire-server migrations watcher, docs/wire/migrations.md#migration-jobs) and is aborted when
   * helm ends; its error, when helm failed too, is the more precise one.
   */
  alongside?: (host: RemoteHost, signal: AbortSignal) => Promise<void>;
}

export function helmReleaseOperation(spec: HelmRelease): Operation {
  const { chart } = spec;
  const valuesSha256 = sha256Text(spec.files.values);
  const secretsSha256 = spec.files.secrets === undefined ? undefined : sha256Text(spec.files.secrets);
  const described = `chart ${chart.chart} ${spec.chartVersion}, namespace ${chart.namespace}`;

  const changesSince = (record: (ReleaseRecord & { values: string }) | undefined): string[] => {
    if (!record) return [`helm install ${chart.release} (${described})`];
    const differences: string[] = [];
    if (record.chart !== chart.chart || record.chartVersion !== spec.chartVersion)
      differences.push(`chart ${record.chart} ${record.chartVersion} -> ${chart.chart} ${spec.chartVersion}`);
    if (record.namespace !== chart.namespace)
      differences.push(`namespace ${record.namespace} -> ${chart.namespace}`);
    if (record.valuesSha256 !== valuesSha256) {
      const paths = changedValuePaths(record.values, spec.files.values);
      differences.push(
        paths.length > 0 ? `values changed: ${describePaths(paths)}` : 'values file changed (same values)',
      );
    }
    if (record.secretsSha256 !== secretsSha256) differences.push('secrets changed (not shown)');
    if (differences.length === 0) return [];
    return [
      `helm upgrade ${chart.release} (${described})`,
      ...differences.map((d) => `${chart.release} ${d}`),
    ];
  };

  const runHelm = async (context: OperationContext): Promise<void> => {
    if (!existsSync(spec.kubeconfig))
      throw new WireInstallError({
        what: `helm upgrade of release ${chart.release}: the admin kubeconfig ${spec.kubeconfig} does not exist`,
        host: ADMIN_HOST,
        next: 'run the kubernetes stage first (kubernetes.admin-kubeconfig writes it), or set kubernetes.kubeconfig',
      });
    await withReleaseFiles(chart.release, spec.files, async (files) => {
      const command = helmUpgradeCommand({
        release: chart.release,
        chartDir: chartDirectory(spec.bundleRoot, chart.chart),
        namespace: chart.namespace,
        timeout: spec.timeout,
        kubeconfig: spec.kubeconfig,
        files,
      });
      const { result, alongsideError } = await withAlongside(context.host, command, spec.alongside);
      if (result.exitCode === 0) return;
      const failure = helmFailure(chart.release, chart.namespace, command, result, spec.secretValues);
      if (alongsideError instanceof WireInstallError)
        throw new WireInstallError({
          what: alongsideError.what,
          host: ADMIN_HOST,
          evidence: [...alongsideError.evidence, failure.what, ...failure.evidence],
          next: alongsideError.next ?? failure.next ?? '',
        });
      throw failure;
    });
  };

  return {
    kind: 'helm-release',
    target: `${chart.release} (${described})`,
    inputs: {
      release: chart.release,
      chart: chart.chart,
      namespace: chart.namespace,
      chartVersion: spec.chartVersion,
      values: valuesSha256,
      secrets: secretsSha256 ?? null,
      kubeconfig: spec.kubeconfig,
    },
    async check() {
      return { changes: changesSince(await readReleaseRecord(spec.record)), notes: [] };
    },
    async apply(context) {
      const changes = changesSince(await readReleaseRecord(spec.record));
      await runHelm(context);
      await writeReleaseRecord(
        spec.record,
        {
          release: chart.release,
          chart: chart.chart,
          namespace: chart.namespace,
          chartVersion: spec.chartVersion,
          valuesSha256,
          secretsSha256,
          appliedAt: new Date().toISOString(),
        },
        spec.files.values,
      );
      return {
        changes:
          changes.length > 0
            ? changes
            : [`helm upgrade ${chart.release} (${described}; same chart and values as the last apply)`],
        notes: [],
      };
    },
  };
}

/**
 * helm, with `alongside` running until helm ends (then aborted and awaited). Its error is
 * returned for the caller to use when helm failed; when helm succeeded it does not matter.
 */
async function withAlongside(
  host: RemoteHost,
  command: string,
  alongside: HelmRelease['alongside'],
): Promise<{ result: ExecResult; alongsideError: unknown }> {
  if (!alongside) return { result: await host.exec(command), alongsideError: undefined };
  const controller = new AbortController();
  let alongsideError: unknown;
  const watching = alongside(host, controller.signal).catch((error: unknown) => {
    alongsideError = error;
  });
  try {
    const result = await host.exec(command);
    controller.abort();
    await watching;
    return { result, alongsideError };
  } finally {
    controller.abort();
  }
}
