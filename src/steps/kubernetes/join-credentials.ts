import { joinCredentials } from '../../cluster/join-credentials.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const joinCredentialsStep = defineStep({
  id: 'kubernetes.join-credentials',
  stage: 'kubernetes',
  title: 'Renew the join token and certificates when a node has still to join',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: ['kube-control-plane'] },
  order: 'first-host-only',
  why: "kubeadm's bootstrap token lives 24 h and the uploaded control-plane certificates 2 h: a node added later needs new ones",
  // The cluster decides, not a checkpoint: a node can be added at any later apply.
  alwaysRun: true,
  needs: ['secrets'],
  operations: (inventory, _host, options) => [joinCredentials(inventory, options.secrets)],
});
