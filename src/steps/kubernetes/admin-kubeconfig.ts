import { fetchAdminKubeconfig } from '../../cluster/admin-kubeconfig.js';
import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const adminKubeconfigStep = defineStep({
  id: 'kubernetes.admin-kubeconfig',
  stage: 'kubernetes',
  title: 'Fetch the admin kubeconfig to the admin host',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: ['kube-control-plane'] },
  order: 'first-host-only',
  why: "helm and kubectl on the admin host use it, as Wire's artifacts/admin.conf",
  operations: (inventory, _host, options) => [
    fetchAdminKubeconfig(inventory, adminKubeconfigPath(inventory, options.inventoryDir)),
  ],
});
