import { BOTH_MODES, type StepDefinition } from '../types.js';

/**
 * Kubernetes from the bundle, in the order Wire's offline path builds it (docs/wire/install-sequences.md#cluster-and-databases-playbooks):
 * container runtime, then every image seeded into containerd, then the cluster.
 * The whole stage is skipped when kubernetes.mode is existing (see stages.ts).
 *
 * A host with both kube-control-plane and kube-worker (Wire's usual three combined nodes)
 * is registered without the control-plane taint, so Wire's pods run on it.
 */
const KUBE_NODES = ['kube-control-plane', 'kube-worker'] as const;

export const kubernetesSteps: readonly StepDefinition[] = [
  {
    id: 'kubernetes.containerd',
    stage: 'kubernetes',
    title: 'Install containerd and runc from the bundle',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: KUBE_NODES },
    order: 'parallel',
    why: 'Wire runs kubespray up to container-engine first, so images can be seeded before the cluster exists',
  },
  {
    id: 'kubernetes.seed-images',
    stage: 'kubernetes',
    title: 'Import every system and chart image into containerd (k8s.io)',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: KUBE_NODES },
    order: 'parallel',
    why: 'No registry offline: seed-offline-containerd.yml imports each tarball listed in index.txt',
  },
  {
    id: 'kubernetes.kube-packages',
    stage: 'kubernetes',
    title: 'Install kubeadm, kubelet, kubectl, crictl and CNI plugins',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: KUBE_NODES },
    order: 'parallel',
    why: "The bundle's binaries.tar carries the Kubernetes 1.29 binaries kubespray installs",
  },
  {
    id: 'kubernetes.init-control-plane',
    stage: 'kubernetes',
    title: 'Initialise the cluster (kubeadm init) on the first control plane',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: ['kube-control-plane'] },
    order: 'first-host-only',
    why: 'One control plane starts the cluster and etcd with the pod and service networks of the inventory',
  },
  {
    id: 'kubernetes.admin-kubeconfig',
    stage: 'kubernetes',
    title: 'Fetch the admin kubeconfig to the admin host',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: ['kube-control-plane'] },
    order: 'first-host-only',
    why: "helm and kubectl on the admin host use it, as Wire's artifacts/admin.conf",
  },
  {
    id: 'kubernetes.cni',
    stage: 'kubernetes',
    title: 'Install the Calico pod network',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: "Wire's kubespray uses Calico (calicoctl is in the bundle); nodes are not Ready without a pod network",
  },
  {
    id: 'kubernetes.join-control-planes',
    stage: 'kubernetes',
    title: 'Join the other control planes (kubeadm join), one at a time',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: ['kube-control-plane'] },
    order: 'after-first-serial',
    why: 'etcd must keep an odd number of members and grows one member at a time',
  },
  {
    id: 'kubernetes.join-workers',
    stage: 'kubernetes',
    title: 'Join the worker-only nodes (kubeadm join)',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: ['kube-worker'], exceptRoles: ['kube-control-plane'] },
    order: 'parallel',
    why: "Nodes in Wire's kube-node group run Wire's services",
  },
  {
    id: 'kubernetes.log-rotation',
    stage: 'kubernetes',
    title: 'Rotate container logs daily, keep two',
    modes: BOTH_MODES,
    target: { kind: 'hosts', roles: KUBE_NODES },
    order: 'parallel',
    why: "Wire's kubernetes_logging.yml: nginz logs must not go back more than 72 hours",
  },
  {
    id: 'kubernetes.nodes-ready',
    stage: 'kubernetes',
    title: 'Wait until every node is Ready and kube-system pods Running',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: "Wire's offline guide checks this before any database or chart goes in",
  },
];
