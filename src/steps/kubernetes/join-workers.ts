import { joinNode } from '../../cluster/kubeadm.js';
import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const joinWorkersStep = defineStep({
  id: 'kubernetes.join-workers',
  stage: 'kubernetes',
  title: 'Join the worker-only nodes (kubeadm join)',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: ['kube-worker'], exceptRoles: ['kube-control-plane'] },
  order: 'parallel',
  why: "Nodes in Wire's kube-node group run Wire's services",
  needs: ['secrets'],
  operations: (inventory, host, options) =>
    joinNode(inventory, host.name, options.secrets, adminKubeconfigPath(inventory, options.inventoryDir)),
});
