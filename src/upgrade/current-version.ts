import { existsSync, statSync } from 'node:fs';
import { adminKubeconfigPath } from '../cluster/kubeconfig.js';
import { inputError, isWireInstallError, WireInstallError } from '../core/errors.js';
import { shellQuote } from '../hosts/become.js';
import type { RemoteHost } from '../hosts/types.js';
import type { Inventory } from '../inventory/defaults.js';
import { chartVersion } from '../workloads/helm/chart-version.js';
import { readReleaseRecord, releaseRecordPaths } from '../workloads/helm/release-record.js';

/**
 * The two versions an upgrade goes between (docs/wire/upgrades.md#plan-the-path: "find your current and target
 * versions"): the wire-server chart installed now and the one in the new bundle.
 * - installed: what apply's chart step recorded (.wire-install/releases/wire-server.json,
 *   release-record.ts) and, when the admin kubeconfig exists, what helm says the cluster runs.
 *   The cluster is the truth: when the two differ (someone ran helm by hand, or a record was
 *   restored from an old backup) the cluster's version is used, with a warning naming both.
 * - target: charts/wire-server/Chart.yaml of the new bundle (chart-version.ts).
 */

export const WIRE_SERVER_RELEASE = 'wire-server';

export interface InstalledVersion {
  version: string;
  source: 'state' | 'cluster';
  /** For people: disagreements and a cluster that could not be asked. */
  warnings: string[];
}

interface HelmListEntry {
  name?: unknown;
  chart?: unknown;
}

/**
 * The wire-server chart version in `helm list -A -o json` output ("wire-server-5.28.0" ->
 * "5.28.0"); null when the cluster has no wire-server release. Throws on output that is not
 * helm's JSON list.
 */
export function wireServerVersionFromHelmList(stdout: string): string | null {
  let entries: unknown;
  try {
    entries = JSON.parse(stdout.trim() === '' ? '[]' : stdout);
  } catch {
    throw new WireInstallError({
      what: 'helm list printed something that is not JSON',
      evidence: stdout.split('\n').slice(0, 5),
    });
  }
  if (!Array.isArray(entries))
    throw new WireInstallError({
      what: 'helm list -o json did not print a list',
      evidence: [stdout.slice(0, 200)],
    });
  const release = (entries as HelmListEntry[]).find((entry) => entry.name === WIRE_SERVER_RELEASE);
  if (!release) return null;
  const chart = String(release.chart ?? '');
  const prefix = `${WIRE_SERVER_RELEASE}-`;
  if (!chart.startsWith(prefix))
    throw new WireInstallError({
      what: `the wire-server release runs chart "${chart}", not the wire-server chart`,
      next: 'check `helm list -A`: wire-install upgrades the release installed from charts/wire-server',
    });
  return chart.slice(prefix.length);
}

/** The chart version the cluster runs, read with helm on the admin host; null: no wire-server release. */
export async function clusterWireServerVersion(
  host: RemoteHost,
  kubeconfig: string,
  signal?: AbortSignal,
): Promise<string | null> {
  const command = `helm list -A -o json --kubeconfig ${shellQuote(kubeconfig)}`;
  const result = await host.exec(command, { timeoutMs: 60_000, ...(signal ? { signal } : {}) });
  if (result.exitCode !== 0)
    throw new WireInstallError({
      what: `helm could not list the cluster's releases (exit ${result.exitCode})`,
      host: host.name,
      evidence: [`command: ${command}`, ...result.stderr.trim().split('\n').slice(-5)],
      next: 'check that the cluster is reachable with that kubeconfig (wire-install doctor --only cluster)',
    });
  return wireServerVersionFromHelmList(result.stdout);
}

export async function installedWireServerVersion(options: {
  inventory: Inventory;
  inventoryDir: string;
  /** The admin host (local-host.ts): runs helm. */
  host: RemoteHost;
  signal?: AbortSignal;
  /** Local files only (`--plan --offline`): the cluster is not asked, the record is used. */
  offline?: boolean;
}): Promise<InstalledVersion> {
  const { inventory, inventoryDir, host, signal } = options;
  const record = await readReleaseRecord(releaseRecordPaths(inventoryDir, WIRE_SERVER_RELEASE));
  const recorded = record?.chartVersion;
  const kubeconfig = adminKubeconfigPath(inventory, inventoryDir);
  const warnings: string[] = [];
  if (existsSync(kubeconfig) && !options.offline) {
    try {
      const running = await clusterWireServerVersion(host, kubeconfig, signal);
      if (running === null)
        throw inputError({
          what: 'the cluster has no wire-server release: there is nothing to upgrade',
          evidence: [
            `helm list -A --kubeconfig ${kubeconfig}: no release named wire-server`,
            ...(recorded ? [`.wire-install/releases/wire-server.json records ${recorded}`] : []),
          ],
          next: 'install with `wire-install apply` instead',
        });
      if (recorded !== undefined && recorded !== running)
        warnings.push(
          `the state records wire-server ${recorded} but the cluster runs ${running}: using the cluster's ${running}`,
        );
      return { version: running, source: 'cluster', warnings };
    } catch (error) {
      // Without a record there is nothing else to go by; with one, --plan still shows the way.
      if (recorded === undefined || !isWireInstallError(error) || error.exitCode === 2) throw error;
      warnings.push(`${error.what}: using the version the state records, ${recorded}`);
    }
  }
  if (recorded === undefined)
    throw inputError({
      what: 'no installed wire-server version: the state records none and there is no cluster to ask',
      evidence: [
        `${releaseRecordPaths(inventoryDir, WIRE_SERVER_RELEASE).record}: missing or unreadable`,
        `${kubeconfig}: missing`,
      ],
      next: 'run upgrade beside the inventory of an installation made with `wire-install apply` (-i inventory.yaml)',
    });
  return { version: recorded, source: 'state', warnings };
}

/** The wire-server chart version of the new bundle; a missing bundle or chart is bad input (exit 2). */
export function bundleWireServerVersion(bundleRoot: string): string {
  if (!existsSync(bundleRoot) || !statSync(bundleRoot).isDirectory())
    throw inputError({
      what: `the new bundle is not a folder: ${bundleRoot}`,
      next: 'unpack the new offline bundle into a new folder and pass it with --bundle',
    });
  try {
    return chartVersion(bundleRoot, WIRE_SERVER_RELEASE);
  } catch (error) {
    if (!isWireInstallError(error)) throw error;
    throw inputError({
      what: error.what,
      evidence: error.evidence,
      next: 'pass the folder of the unpacked new bundle with --bundle (it holds charts/wire-server/Chart.yaml)',
    });
  }
}
