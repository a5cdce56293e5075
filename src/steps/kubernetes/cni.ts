import { BUNDLE_BINARIES } from '../../bundle/binaries.js';
import { CALICO_MANIFEST, CALICO_VERSION, calicoManifest, readCalicoManifest } from '../../cluster/calico.js';
import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { kubectlApplyOperation, onceKubeconfigExists } from '../../cluster/kubectl.js';
import type { Inventory } from '../../inventory/defaults.js';
import type { Operation } from '../../operations/types.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const cniStep = defineStep({
  id: 'kubernetes.cni',
  stage: 'kubernetes',
  title: 'Install the Calico pod network',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: "Wire's kubespray uses Calico (calicoctl is in the bundle); nodes are not Ready without a pod network",
  needs: ['bundle'],
  operations: (inventory, _host, options) =>
    calico(inventory, options.bundleRoot, adminKubeconfigPath(inventory, options.inventoryDir)),
});

/** Calico's manifest from the bundle (src/cluster/calico.ts), applied with kubectl from the admin host. */
export function calico(inventory: Inventory, bundleRoot: string, kubeconfigPath: string): Operation[] {
  // Read once per run: check and apply both need it, and binaries.tar is large.
  let manifest: Promise<string> | undefined;
  const read = () =>
    (manifest ??= readCalicoManifest(bundleRoot).then((text) =>
      calicoManifest(text, inventory.kubernetes.podCidr),
    ));
  const name = `Calico v${CALICO_VERSION} (${CALICO_MANIFEST} of ${BUNDLE_BINARIES.calicoArchive})`;
  return [
    onceKubeconfigExists(
      kubeconfigPath,
      [`kubectl apply ${name}`],
      kubectlApplyOperation(kubeconfigPath, name, read),
    ),
  ];
}
