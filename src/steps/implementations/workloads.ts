import { callingLabels } from '../../cluster/calling-labels.js';
import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { chartImplementations } from '../../workloads/helm/chart-steps.js';
import type { Implementation } from './types.js';
import { workloadsSelfSignedCertificate } from './workloads-self-signed.js';
import { workloadsValues } from './workloads-values.js';

/**
 * The workloads steps' operations: one helm release per chart (src/workloads/helm/chart-steps.ts);
 * the steps not listed here are marked not built by the plan.
 */
export const WORKLOADS_IMPLEMENTATIONS: Record<string, Implementation> = {
  'workloads.values': workloadsValues,
  'workloads.self-signed-certificate': workloadsSelfSignedCertificate,
  // The same labels and annotations kubernetes.nodes-ready sets; here too, because with
  // kubernetes: existing that stage does not run (docs/wire/install-sequences.md#calling-nodes, docs/wire/inventory-and-hardware.md#per-host-variables).
  'workloads.calling-node-labels': {
    operations: (inventory, _host, options) =>
      callingLabels(inventory, adminKubeconfigPath(inventory, options.inventoryDir)),
  },
  ...chartImplementations(),
};
