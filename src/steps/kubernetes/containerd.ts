import { basename } from 'node:path';
import { BUNDLE_BINARIES } from '../../bundle/binaries.js';
import {
  BIN,
  CNI_BIN_DIR,
  CONTAINERD_SOCKET,
  UNPACKED,
  unpackedTarball,
} from '../../cluster/node-binaries.js';
import type { Inventory } from '../../inventory/defaults.js';
import { KUBE_ROLES } from '../../inventory/roles.js';
import { directoryOperation } from '../../operations/directory.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { systemdUnitOperation } from '../../operations/systemd.js';
import type { Operation } from '../../operations/types.js';
import { templateOperation } from '../../templates/load.js';
import { fromAssets } from '../../wire/assets.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const containerdStep = defineStep({
  id: 'kubernetes.containerd',
  stage: 'kubernetes',
  title: 'Install containerd and runc from the bundle',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: KUBE_ROLES },
  order: 'parallel',
  why: 'Wire runs kubespray up to container-engine first, so images can be seeded before the cluster exists',
  needs: ['bundle'],
  operations: (inventory, _host, options) => containerd(inventory, options),
});

/** Wire's offline inventory pins kube_version v1.29.10 (docs/wire/inventory-and-hardware.md#group-and-cluster-variables). */
const KUBE_VERSION = 'v1.29.10';
/** The sandbox image kubeadm v1.29 expects (`kubeadm config images list`); seeded with the system images. */
const SANDBOX_IMAGE = 'registry.k8s.io/pause:3.9';

export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';
const CONTAINERD_UNIT = '/etc/systemd/system/containerd.service';
const RUNC = '/usr/local/sbin/runc';

export function containerdValues(): Record<string, string> {
  return {
    socket: CONTAINERD_SOCKET,
    sandboxImage: SANDBOX_IMAGE,
    kubeVersion: KUBE_VERSION,
    runc: RUNC,
    cniBinDir: CNI_BIN_DIR,
    containerd: `${BIN}/containerd`,
    config: CONTAINERD_CONFIG,
  };
}

export function containerd(inventory: Inventory, options: { bundleRoot: string | undefined }): Operation[] {
  const values = containerdValues();
  return [
    ...unpackedTarball(inventory, options, BUNDLE_BINARIES.containerd, '/usr/local', [
      `${BIN}/containerd`,
      `${BIN}/ctr`,
      `${BIN}/containerd-shim-runc-v2`,
    ]),
    fromAssets(inventory, options, BUNDLE_BINARIES.runc, RUNC, 0o755),
    directoryOperation({ path: '/etc/containerd', mode: 0o755 }),
    templateOperation('kubernetes/containerd-config.toml', values, { path: CONTAINERD_CONFIG, mode: 0o644 }),
    templateOperation('kubernetes/containerd.service', values, { path: CONTAINERD_UNIT, mode: 0o644 }),
    systemdUnitOperation({
      unit: 'containerd.service',
      enabled: true,
      running: true,
      // The record is rewritten by each unpack: a new containerd restarts it too.
      restartWhenChanged: [CONTAINERD_CONFIG, `${UNPACKED}/${basename(BUNDLE_BINARIES.containerd)}.sha256`],
    }),
    remoteCheck('containerd answers (ctr version)', async (context) => {
      // In a plan containerd may not be there yet: said as a note (remoteCheck), not a failure.
      const installed = await context.host.exec(
        `[ -x ${BIN}/ctr ] && systemctl is-active --quiet containerd`,
      );
      if (installed.exitCode !== 0) throw new Error('containerd is not installed and running yet');
      // Just (re)started: its socket appears a moment later.
      const result = await context.host.exec(
        'for i in 1 2 3 4 5 6 7 8 9 10; do ctr version >/dev/null 2>&1 && exit 0; sleep 0.5; done; ctr version',
      );
      if (result.exitCode === 0) return [];
      return [
        {
          severity: 'error',
          rule: 'kubernetes.containerd',
          host: context.host.name,
          message: `containerd does not answer on ${CONTAINERD_SOCKET}`,
          measured: (result.stderr || result.stdout).trim().split('\n').at(-1) ?? '',
          fix: 'see why: systemctl status containerd; journalctl -u containerd -n 50',
        },
      ];
    }),
  ];
}
