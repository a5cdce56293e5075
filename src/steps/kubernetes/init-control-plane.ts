import { configDir, INIT_CONFIG, INIT_DONE, initValues, KUBEADM } from '../../cluster/kubeadm.js';
import type { Inventory } from '../../inventory/defaults.js';
import { commandOperation } from '../../operations/command.js';
import type { Operation } from '../../operations/types.js';
import type { WireSecrets } from '../../secrets/generate.js';
import { templateOperation } from '../../templates/load.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const initControlPlaneStep = defineStep({
  id: 'kubernetes.init-control-plane',
  stage: 'kubernetes',
  title: 'Initialise the cluster (kubeadm init) on the first control plane',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: ['kube-control-plane'] },
  order: 'first-host-only',
  why: 'One control plane starts the cluster and etcd with the pod and service networks of the inventory',
  needs: ['secrets'],
  operations: (inventory, host, options) => initControlPlane(inventory, host.name, options.secrets),
});

/** kubeadm init on the first control plane, once: guarded by a mark written when it succeeded. */
export function initControlPlane(inventory: Inventory, hostName: string, secrets: WireSecrets): Operation[] {
  return [
    configDir(),
    templateOperation('kubernetes/kubeadm-init.yaml.tmpl', initValues(inventory, hostName, secrets), {
      path: INIT_CONFIG,
      mode: 0o600,
    }),
    commandOperation({
      name: 'kubeadm init',
      // --upload-certs: the control-plane certificates go into the cluster, encrypted with the
      // certificate key, for the other control planes; the skip flags keep both secrets out of
      // kubeadm's output (which a failure would show).
      command: `${KUBEADM} init --config ${INIT_CONFIG} --upload-certs --skip-token-print --skip-certificate-key-print && touch ${INIT_DONE}`,
      creates: INIT_DONE,
    }),
  ];
}
