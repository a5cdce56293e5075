import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { WireInstallError } from '../../core/errors.js';
import { ADMIN_HOST, localHost } from '../../hosts/local-host.js';
import type { RemoteHost } from '../../hosts/types.js';
import type { Inventory } from '../../inventory/defaults.js';
import { lastLines } from '../../operations/run.js';
import { redact } from '../../secrets/redact.js';
import { STATE_DIR, StateStore, type StepRecord } from '../../state/store.js';
import { helmCommandLine } from '../../workloads/helm/helm-command.js';
import { releaseRecordPaths, writeReleaseRecord } from '../../workloads/helm/release-record.js';
import { DEFAULT_HELM_TIMEOUT } from '../../workloads/helm/timeout.js';
import type { UpgradeTarget } from '../types.js';
import { helmReleaseStatus } from './helm-status.js';
import { chartsToUpgrade } from './order.js';
import { type RecordedRevision, readRevisions, revisionsPath } from './revisions.js';
import { chartUpgradeStepId } from './stage.js';

/**
 * The way back when an upgrade run fails (issue 7): `helm rollback` of exactly the releases
 * this run upgraded, newest first, each to the revision recorded before the upgrade touched
 * it (revisions.json). "This run" is read from the state file: the upgrade.chart.* records
 * carry the run id. The release that failed counts too: a failed `helm upgrade --wait` leaves
 * a new, failed revision behind; it is rolled back when helm did make one.
 *
 * A rolled-back step's checkpoint is overwritten with a 'failed' record saying so, rather than
 * removed: the engine treats only 'succeeded' as current, so a resumed upgrade upgrades the
 * release again, and state.json (and `status`) keep why. Releases upgraded by an earlier run of
 * this upgrade stay at the new version (the operator gets the command to roll them back by
 * hand). What no helm rollback undoes is said plainly: the schema migrations.
 */
export interface RollbackOptions {
  inventory: Inventory;
  inventoryDir: string;
  target: UpgradeTarget;
  /** The failed run (the engine's run-started event carries it). */
  runId: string;
  /** Where helm runs: the admin host (default: this machine). */
  host?: RemoteHost;
  /** --helm-timeout: how long each `helm rollback --wait` may take; default 15m. */
  helmTimeout?: string;
  /** Replaced in helm's output before it is shown (secrets/redact.ts). */
  secretValues?: readonly string[];
}

export interface RolledBackRelease {
  release: string;
  namespace: string;
  revision: number;
  command: string;
}

export interface RollbackReport {
  /** Rolled back, in the order it happened (the reverse of the upgrade order). */
  rolledBack: RolledBackRelease[];
  /** The rollback itself failed: the release is in whatever state helm left. */
  failed: { release: string; error: WireInstallError }[];
  /** Touched by this run, but with nothing to roll back to, and why. */
  leftAsIs: { release: string; reason: string }[];
  /** Upgraded by an earlier run of this upgrade: still at the new version. */
  fromEarlierRuns: { release: string; reason: string }[];
  /** What cannot be rolled back, in plain words: always at least the migrations sentence. */
  cannotRollBack: string[];
}

/** The start of a rolled-back step's error in state.json (a second rollback of the same run skips it). */
export const ROLLED_BACK = 'rolled back to helm revision';

export function helmRollbackArgs(
  entry: Pick<RecordedRevision, 'release' | 'namespace'>,
  revision: number,
  timeout: string,
  kubeconfig: string,
): string[] {
  return [
    'rollback',
    entry.release,
    String(revision),
    '--namespace',
    entry.namespace,
    '--wait',
    '--timeout',
    timeout,
    '--kubeconfig',
    kubeconfig,
  ];
}

export async function rollbackUpgradedReleases(options: RollbackOptions): Promise<RollbackReport> {
  const host = options.host ?? localHost();
  const kubeconfig = adminKubeconfigPath(options.inventory, options.inventoryDir);
  const timeout = options.helmTimeout ?? DEFAULT_HELM_TIMEOUT;
  const state = await StateStore.open(join(options.inventoryDir, STATE_DIR));
  const revisions = (await readRevisions(revisionsPath(options.inventoryDir, options.target.id))).releases;
  const report: RollbackReport = {
    rolledBack: [],
    failed: [],
    leftAsIs: [],
    fromEarlierRuns: [],
    cannotRollBack: [],
  };

  const markRolledBack = (stepId: string, record: StepRecord, revision: number, how: string) =>
    state.record(stepId, ADMIN_HOST, {
      status: 'failed',
      fingerprint: record.fingerprint,
      finishedAt: new Date().toISOString(),
      runId: options.runId,
      error: `${ROLLED_BACK} ${revision} (${how}) after upgrade ${options.target.id} failed`,
    });

  for (const chart of [...chartsToUpgrade(options.inventory)].reverse()) {
    const stepId = chartUpgradeStepId(chart.release);
    const record = state.get(stepId, ADMIN_HOST);
    if (!record) continue;
    const recorded = revisions[chart.release];
    if (record.runId !== options.runId) {
      // The step ids are the same in every upgrade: only a release with a revision recorded
      // under this upgrade's id was touched by it (the others' records are earlier upgrades').
      if (recorded && record.status === 'succeeded')
        report.fromEarlierRuns.push({
          release: chart.release,
          reason:
            recorded?.revision != null
              ? `upgraded by an earlier run (${record.runId}); by hand: ${helmCommandLine(helmRollbackArgs(recorded, recorded.revision, timeout, kubeconfig))}`
              : `upgraded by an earlier run (${record.runId}); it was not installed before this upgrade`,
        });
      continue;
    }
    if (record.error?.startsWith(ROLLED_BACK)) continue;
    if (!recorded) {
      // Only a step that failed before its revision was read: its helm upgrade never ran.
      report.leftAsIs.push({ release: chart.release, reason: 'failed before its helm upgrade ran' });
      continue;
    }
    if (recorded.revision === null) {
      report.leftAsIs.push({
        release: chart.release,
        reason: `was not installed before this upgrade, so there is no revision to go back to; it stays installed (helm uninstall ${chart.release} --namespace ${chart.namespace} removes it)`,
      });
      continue;
    }
    try {
      const now = await helmReleaseStatus(host, chart.release, chart.namespace, kubeconfig);
      if (now.revision === recorded.revision) {
        report.leftAsIs.push({
          release: chart.release,
          reason: `still at helm revision ${recorded.revision}: its helm upgrade changed nothing`,
        });
        continue;
      }
      const command = helmCommandLine(helmRollbackArgs(recorded, recorded.revision, timeout, kubeconfig));
      const result = await host.exec(command);
      if (result.exitCode !== 0)
        throw new WireInstallError({
          what: `helm rollback of release ${chart.release} to revision ${recorded.revision} failed (exit code ${result.exitCode})`,
          host: ADMIN_HOST,
          evidence: [
            `command: ${command}`,
            ...lastLines(redact(`${result.stdout}\n${result.stderr}`, options.secretValues ?? [])).map(
              (line) => `| ${line}`,
            ),
          ],
          next: `kubectl -n ${chart.namespace} get pods; helm history ${chart.release} --namespace ${chart.namespace}; then run the rollback command again`,
        });
      await restoreReleaseRecord(options.inventoryDir, recorded);
      await markRolledBack(stepId, record, recorded.revision, 'helm rollback');
      report.rolledBack.push({
        release: chart.release,
        namespace: chart.namespace,
        revision: recorded.revision,
        command,
      });
    } catch (error) {
      const failure =
        error instanceof WireInstallError
          ? error
          : new WireInstallError({ what: `helm rollback of release ${chart.release}: ${String(error)}` });
      // Not current either way: a resumed upgrade runs helm upgrade on it again.
      await markRolledBack(stepId, record, recorded.revision, 'attempted; the rollback failed');
      report.failed.push({ release: chart.release, error: failure });
    }
  }
  report.cannotRollBack.push(migrationsStatement(revisions, options.target));
  return report;
}

/**
 * What helm rollback cannot undo. wire-server's pre-upgrade hooks (cassandra-migrations, the
 * migrate-data jobs, docs/wire/migrations.md#migration-jobs) change the schemas and data; there is no down-migration.
 */
export function migrationsStatement(
  revisions: Readonly<Record<string, RecordedRevision>>,
  target: UpgradeTarget,
): string {
  if (!revisions['wire-server'])
    return `No schema migration ran: wire-server was not upgraded in upgrade ${target.id}, so the databases are as they were.`;
  return (
    `Schema migrations cannot be rolled back: what wire-server's cassandra-migrations job and the migrate-data jobs ` +
    `already applied towards ${target.to} stays (Wire's migrations are forward-only). The rolled-back releases run ` +
    `against the new schema, which Wire's migrations keep compatible one version back; the only way to the old ` +
    `schema is restoring the Cassandra snapshot taken before upgrade ${target.id}.`
  );
}

/** apply's release record back to what it was before the upgrade, so `apply --plan` compares with what runs. */
async function restoreReleaseRecord(inventoryDir: string, recorded: RecordedRevision): Promise<void> {
  const paths = releaseRecordPaths(inventoryDir, recorded.release);
  if (recorded.previous) {
    await writeReleaseRecord(paths, recorded.previous.record, recorded.previous.values);
    return;
  }
  await rm(paths.record, { force: true });
  await rm(paths.values, { force: true });
}
