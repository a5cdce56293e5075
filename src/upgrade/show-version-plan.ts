import { resolve } from 'node:path';
import { ExitCode, inputError } from '../core/errors.js';
import type { Output } from '../core/output.js';
import { localHost } from '../hosts/local-host.js';
import { loadInventoryFile } from '../inventory/load.js';
import { adminToolsFor } from '../tools/admin-tools.js';
import { bundleWireServerVersion, installedWireServerVersion } from './current-version.js';
import { versionPlanLines, versionPlanRecord } from './render-version-plan.js';
import { readUpgradeRecord } from './upgrade-record.js';
import { compareVersions, parseChartVersion, planVersions, type VersionPlan } from './version-path.js';

/**
 * `upgrade --plan`'s version part: reads the installed and the target versions, plans the way
 * between them and shows it. Exit 0 when the upgrade may go ahead (or there is nothing to do),
 * 2 when a version is refused (bad input: the bundle chosen is the wrong one).
 */
export async function showVersionPlan(options: {
  inventoryPath: string;
  bundle: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  output: Output;
  signal?: AbortSignal;
  /** Local files only: the installed version from the state, the cluster not asked. */
  offline?: boolean;
}): Promise<{ plan: VersionPlan; exitCode: number }> {
  const { output } = options;
  if (options.bundle === undefined)
    throw inputError({
      what: 'upgrade needs the new bundle: --bundle DIR is missing',
      next: 'unpack the new offline bundle into a new folder and pass it: wire-install upgrade --bundle DIR --plan',
    });
  // The inventory first: a wrong -i is reported before the bundle or the cluster is looked at.
  const loaded = await loadInventoryFile(options.inventoryPath, options.cwd);
  const target = bundleWireServerVersion(resolve(options.cwd, options.bundle));
  // helm lists the installed releases: the same helm apply uses (the release's, or PATH's).
  const env = options.offline
    ? options.env
    : (await adminToolsFor(loaded.inventory, loaded.baseDir, options.env)).env;
  const host = localHost({ env, cwd: options.cwd });
  const installed = await installedWireServerVersion({
    inventory: loaded.inventory,
    inventoryDir: loaded.baseDir,
    host,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.offline ? { offline: true } : {}),
  });
  for (const warning of installed.warnings) output.warn(warning);
  const from = await unfinishedUpgradeFrom(loaded.baseDir, installed.version, target, output);
  const plan = planVersions(from, target, {
    federation: loaded.inventory.wire.federation.enabled,
  });
  output.data(versionPlanRecord(plan));
  for (const line of versionPlanLines(plan)) output.line(line);
  return { plan, exitCode: plan.refused ? ExitCode.badInput : ExitCode.ok };
}

/**
 * The version to plan from. An unfinished upgrade to this bundle's version that got past
 * wire-server (interrupted with Ctrl-C, or its rollback failed) leaves wire-server at the target
 * while the releases after it, the migrations and verify never ran: that is a resume from the
 * version the upgrade started at (keeping its id, upgrade-record.ts), not "nothing to upgrade".
 */
async function unfinishedUpgradeFrom(
  inventoryDir: string,
  installed: string,
  target: string,
  output: Output,
): Promise<string> {
  const record = await readUpgradeRecord(inventoryDir);
  if (!record || record.status === 'succeeded' || record.to !== target || record.from === installed)
    return installed;
  const [now, from, to] = [installed, record.from, target].map(parseChartVersion);
  if (!now || !from || !to || compareVersions(now, from) <= 0 || compareVersions(now, to) > 0)
    return installed;
  output.warn(
    `upgrade ${record.id} is unfinished (${record.status}) and wire-server already runs ${installed}: resuming it from ${record.from}`,
  );
  return record.from;
}
