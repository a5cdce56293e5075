import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import type { Inventory } from '../../inventory/defaults.js';
import { remoteCheck } from '../../operations/remote-check.js';
import type { Operation } from '../../operations/types.js';
import { checkExistingCluster } from '../../preflight/existing-cluster.js';
import { kubernetesExisting } from '../conditions.js';
import { defineStep, type WireStageOptions } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const existingClusterStep = defineStep({
  id: 'preflight.existing-cluster',
  stage: 'preflight',
  title: 'Check the existing cluster: API reachable, version, nodes Ready',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  when: kubernetesExisting,
  why: 'wire-server needs Kubernetes 1.27 or later since 5.26, and every node Ready before charts go in',
  alwaysRun: true,
  operations: (inventory, _host, options) => [existingClusterCheck(inventory, options)],
});

/** kubernetes: existing: the given cluster answers, is recent enough, and its nodes are Ready. */
const existingClusterCheck = (
  inventory: Inventory,
  options: Pick<WireStageOptions, 'inventoryDir'>,
): Operation =>
  remoteCheck('the existing cluster', (context) =>
    checkExistingCluster(
      context.host,
      adminKubeconfigPath(inventory, options.inventoryDir),
      inventory.kubernetes.context,
    ),
  );
