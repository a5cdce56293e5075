import { callingLabels } from '../../cluster/calling-labels.js';
import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { callingEnabled } from '../conditions.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const callingNodeLabelsStep = defineStep({
  id: 'workloads.calling-node-labels',
  stage: 'workloads',
  title: 'Label the sftd and coturn nodes; annotate their external IP',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  when: callingEnabled,
  why: 'sftd and coturn select nodes by wire.com/role and read wire.com/external-ip behind 1:1 NAT',
  // The same labels and annotations kubernetes.nodes-ready sets; here too, because with
  // kubernetes: existing that stage does not run (docs/wire/install-sequences.md#calling-nodes, docs/wire/inventory-and-hardware.md#per-host-variables).
  operations: (inventory, _host, options) =>
    callingLabels(inventory, adminKubeconfigPath(inventory, options.inventoryDir)),
});
