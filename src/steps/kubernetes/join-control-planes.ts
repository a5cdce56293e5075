import { joinNode } from '../../cluster/kubeadm.js';
import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const joinControlPlanesStep = defineStep({
  id: 'kubernetes.join-control-planes',
  stage: 'kubernetes',
  title: 'Join the other control planes (kubeadm join), one at a time',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: ['kube-control-plane'] },
  order: 'after-first-serial',
  why: 'etcd must keep an odd number of members and grows one member at a time',
  needs: ['secrets'],
  operations: (inventory, host, options) =>
    joinNode(inventory, host.name, options.secrets, adminKubeconfigPath(inventory, options.inventoryDir)),
});
