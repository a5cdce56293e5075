import { isAbsolute, join, resolve } from 'node:path';
import type { Inventory } from '../inventory/defaults.js';
import { STATE_DIR } from '../state/store.js';

/**
 * Where the admin kubeconfig lives on the admin host (Wire's artifacts/admin.conf,
 * docs/wire/install-sequences.md#admin-tools-container): the inventory's kubernetes.kubeconfig
 * for an existing cluster, otherwise the copy apply fetched into .wire-install/.
 */
export function adminKubeconfigPath(inventory: Inventory, inventoryDir: string): string {
  const named = inventory.kubernetes.kubeconfig;
  if (named) return isAbsolute(named) ? named : resolve(inventoryDir, named);
  return join(inventoryDir, STATE_DIR, 'admin.conf');
}
