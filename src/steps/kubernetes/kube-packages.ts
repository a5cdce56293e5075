import { BUNDLE_BINARIES } from '../../bundle/binaries.js';
import { BIN, CNI_BIN_DIR, CONTAINERD_SOCKET, unpackedTarball } from '../../cluster/node-binaries.js';
import type { Inventory } from '../../inventory/defaults.js';
import { KUBE_ROLES } from '../../inventory/roles.js';
import { aptPackageOperation } from '../../operations/apt.js';
import { commandOperation } from '../../operations/command.js';
import { directoryOperation } from '../../operations/directory.js';
import type { Operation } from '../../operations/types.js';
import { templateOperation } from '../../templates/load.js';
import { fromAssets } from '../../wire/assets.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const kubePackagesStep = defineStep({
  id: 'kubernetes.kube-packages',
  stage: 'kubernetes',
  title: 'Install kubeadm, kubelet, kubectl, crictl and CNI plugins',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: KUBE_ROLES },
  order: 'parallel',
  why: "The bundle's binaries.tar carries the Kubernetes 1.29 binaries kubespray installs",
  needs: ['bundle'],
  operations: (inventory, _host, options) => kubePackages(inventory, options),
});

const KUBELET_UNIT = '/etc/systemd/system/kubelet.service';
const KUBEADM_DROP_IN = '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf';

const KUBEADM_PACKAGES = ['conntrack', 'socat', 'ebtables'];

export function kubePackages(inventory: Inventory, options: { bundleRoot: string | undefined }): Operation[] {
  const values = { kubelet: `${BIN}/kubelet`, socket: CONTAINERD_SOCKET };
  return [
    // kubeadm 1.29's preflight fails without conntrack and warns without socat and ebtables;
    // a stock Ubuntu server has none of them (kubespray installs them from the bundle's repo).
    ...KUBEADM_PACKAGES.map((name) => aptPackageOperation({ name })),
    fromAssets(inventory, options, BUNDLE_BINARIES.kubeadm, `${BIN}/kubeadm`, 0o755),
    fromAssets(inventory, options, BUNDLE_BINARIES.kubelet, `${BIN}/kubelet`, 0o755),
    fromAssets(inventory, options, BUNDLE_BINARIES.kubectl, `${BIN}/kubectl`, 0o755),
    ...unpackedTarball(inventory, options, BUNDLE_BINARIES.crictl, BIN, [`${BIN}/crictl`]),
    // The CNI plugins v1.3.0 tarball has the plugins at its top level; Calico's CNI chain calls
    // portmap for hostPorts (a demo's ingress), see docs/wire/deployment-sources.md#calico.
    ...unpackedTarball(inventory, options, BUNDLE_BINARIES.cniPlugins, CNI_BIN_DIR, [
      `${CNI_BIN_DIR}/bridge`,
      `${CNI_BIN_DIR}/host-local`,
      `${CNI_BIN_DIR}/loopback`,
      `${CNI_BIN_DIR}/portmap`,
    ]),
    templateOperation('kubernetes/crictl.yaml.tmpl', values, { path: '/etc/crictl.yaml', mode: 0o644 }),
    templateOperation('kubernetes/kubelet.service', values, { path: KUBELET_UNIT, mode: 0o644 }),
    directoryOperation({ path: '/etc/systemd/system/kubelet.service.d', mode: 0o755 }),
    templateOperation('kubernetes/10-kubeadm.conf', values, { path: KUBEADM_DROP_IN, mode: 0o644 }),
    // Enabled, not started nor awaited: it restarts until kubeadm init/join gives it its
    // configuration, and kubeadm starts it then. A systemd-unit operation would either start it
    // (and see it "activating" on every run) or stop it after kubeadm started it.
    commandOperation({
      name: 'enable kubelet.service (kubeadm init/join starts it)',
      command: 'systemctl daemon-reload && systemctl enable kubelet.service',
      unless:
        'systemctl is-enabled --quiet kubelet.service && [ "$(systemctl show -p NeedDaemonReload --value kubelet.service)" = no ]',
    }),
  ];
}
