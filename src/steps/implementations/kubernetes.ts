import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import type { Inventory } from '../../inventory/defaults.js';
import { calico, fetchAdminKubeconfig, nodesReady } from './kubernetes-admin.js';
import { initControlPlane, joinNode } from './kubernetes-kubeadm.js';
import { type Implementation, needBundle, needSecrets, type WireStageOptions } from './types.js';

/**
 * The cluster steps of src/steps/kubernetes/index.ts: kubeadm on the nodes
 * (kubernetes-kubeadm.ts), kubectl from the admin host (kubernetes-admin.ts).
 */
const kubeconfig = (inventory: Inventory, options: WireStageOptions) =>
  adminKubeconfigPath(inventory, options.inventoryDir);

const join: Implementation = {
  needsSecrets: true,
  operations: (inventory, host, options) =>
    joinNode(inventory, host.name, needSecrets(options), kubeconfig(inventory, options)),
};

export const KUBERNETES_IMPLEMENTATIONS: Record<string, Implementation> = {
  'kubernetes.init-control-plane': {
    needsSecrets: true,
    operations: (inventory, host, options) => initControlPlane(inventory, host.name, needSecrets(options)),
  },
  'kubernetes.admin-kubeconfig': {
    operations: (inventory, _host, options) => [
      fetchAdminKubeconfig(inventory, kubeconfig(inventory, options)),
    ],
  },
  'kubernetes.cni': {
    needsBundle: true,
    operations: (inventory, _host, options) =>
      calico(inventory, needBundle(options), kubeconfig(inventory, options)),
  },
  'kubernetes.join-control-planes': join,
  'kubernetes.join-workers': join,
  'kubernetes.nodes-ready': {
    operations: (inventory, _host, options) => nodesReady(inventory, kubeconfig(inventory, options)),
    alwaysRun: true,
  },
};
