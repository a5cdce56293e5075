import { adminKubeconfigStep } from './admin-kubeconfig.js';
import { cniStep } from './cni.js';
import { containerdStep } from './containerd.js';
import { initControlPlaneStep } from './init-control-plane.js';
import { joinControlPlanesStep } from './join-control-planes.js';
import { joinCredentialsStep } from './join-credentials.js';
import { joinWorkersStep } from './join-workers.js';
import { kubePackagesStep } from './kube-packages.js';
import { logRotationStep } from './log-rotation.js';
import { nodesReadyStep } from './nodes-ready.js';
import { seedImagesStep } from './seed-images.js';

/**
 * Kubernetes from the bundle, in the order Wire's offline path builds it (docs/wire/install-sequences.md#cluster-and-databases-playbooks):
 * container runtime, then every image seeded into containerd, then the cluster.
 * The whole stage is skipped when kubernetes.mode is existing (see stages.ts).
 *
 * The node steps run on every host with kube-control-plane or kube-worker (KUBE_ROLES). A host
 * with both (Wire's usual three combined nodes) is registered without the control-plane taint,
 * so Wire's pods run on it.
 */
export const kubernetesSteps = [
  containerdStep,
  seedImagesStep,
  kubePackagesStep,
  initControlPlaneStep,
  adminKubeconfigStep,
  cniStep,
  joinCredentialsStep,
  joinControlPlanesStep,
  joinWorkersStep,
  logRotationStep,
  nodesReadyStep,
] as const;
