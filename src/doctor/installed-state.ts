import { existsSync } from 'node:fs';
import { adminKubeconfigPath } from '../cluster/kubeconfig.js';
import type { Inventory } from '../inventory/defaults.js';
import { loadState } from '../state/store.js';
import { isStepId, type StepId } from '../steps/registry.js';
import type { InstalledState } from './types.js';

/**
 * What has been installed, as the state file records it: the steps that succeeded on every
 * host they ran on, and whether there is an admin kubeconfig (a cluster to ask). doctor's
 * checks skip what does not exist yet, so a plain `doctor` before the first apply checks the
 * hosts, DNS and certificates, and after it the cluster and the databases too.
 */
export async function readInstalledState(
  inventory: Inventory,
  inventoryDir: string,
  stateDir: string,
): Promise<InstalledState> {
  const state = await loadState(stateDir);
  const succeededSteps = new Set<StepId>();
  for (const [step, hosts] of Object.entries(state.steps)) {
    const records = Object.values(hosts);
    // Ids of upgrade's own steps, and of steps a newer or older wire-install had, are not Wire's steps of today.
    if (!isStepId(step)) continue;
    if (records.length > 0 && records.every((record) => record.status === 'succeeded'))
      succeededSteps.add(step);
  }
  const kubeconfig = adminKubeconfigPath(inventory, inventoryDir);
  return { succeededSteps, kubeconfig: existsSync(kubeconfig) ? kubeconfig : undefined };
}
