import { basename } from 'node:path';
import { BUNDLE_BINARIES } from '../../bundle/binaries.js';
import { shellQuote } from '../../hosts/become.js';
import type { Inventory } from '../../inventory/defaults.js';
import { aptPackageOperation } from '../../operations/apt.js';
import { commandOperation } from '../../operations/command.js';
import { imageSeedOperation } from '../../operations/containerd-images.js';
import { directoryOperation } from '../../operations/directory.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { systemdUnitOperation } from '../../operations/systemd.js';
import type { Operation } from '../../operations/types.js';
import { templateOperation } from '../../templates/load.js';
import { assetBaseUrl, bundleStamp, fromAssets } from '../../wire/assets.js';
import type { Implementation, WireStageOptions } from './types.js';

/**
 * A Kubernetes node before kubeadm: the container runtime, every image seeded into it, the
 * Kubernetes binaries and the pod log rotation, all from the bundle through the asset host, as
 * Wire's offline path does with kubespray (docs/wire/install-sequences.md#container-runtime, #image-seeding, #kubernetes-cluster, #offline-bundle, docs/wire/health-and-ports.md#health-checks).
 */

/** Wire's offline inventory pins kube_version v1.29.10 (docs/wire/inventory-and-hardware.md#group-and-cluster-variables). */
export const KUBE_VERSION = 'v1.29.10';
/** The sandbox image kubeadm v1.29 expects (`kubeadm config images list`); seeded with the system images. */
export const SANDBOX_IMAGE = 'registry.k8s.io/pause:3.9';

export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
export const CONTAINERD_UNIT = '/etc/systemd/system/containerd.service';
export const KUBELET_UNIT = '/etc/systemd/system/kubelet.service';
export const KUBEADM_DROP_IN = '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf';
export const CNI_BIN_DIR = '/opt/cni/bin';
export const PODLOGS_LOGROTATE = '/etc/logrotate.d/podlogs';
const BIN = '/usr/local/bin';
const RUNC = '/usr/local/sbin/runc';
/** Tarballs downloaded from the asset host, and what was last unpacked from each. */
const DOWNLOADS = '/var/lib/wire-install/downloads';
const UNPACKED = '/var/lib/wire-install/unpacked';
/** One record per imported image tarball (see containerd-images.ts). */
export const IMAGE_RECORDS = '/var/lib/wire-install/images';
/** Wire's seed-offline-containerd.yml reads these two indexes (docs/wire/install-sequences.md#image-seeding). */
export const IMAGE_FOLDERS = ['containers-system', 'containers-helm'] as const;

/**
 * A tarball from the bundle unpacked into `into`: downloaded once (checksum-checked), unpacked
 * again only when its checksum differs from the one recorded after the last unpack, or when a
 * file it provides is gone. `--touch` gives the files the time of the unpack, so a unit that
 * watches them restarts after an upgrade.
 */
function unpackedTarball(
  inventory: Inventory,
  options: Pick<WireStageOptions, 'bundleRoot'>,
  file: string,
  into: string,
  provides: string[],
): Operation[] {
  const tarball = `${DOWNLOADS}/${basename(file)}`;
  const record = `${UNPACKED}/${basename(file)}.sha256`;
  const digest = `sha256sum ${shellQuote(tarball)} | cut -d' ' -f1`;
  return [
    fromAssets(inventory, options, file, tarball, 0o644),
    commandOperation({
      name: `unpack ${basename(file)} into ${into}`,
      command: `set -e; mkdir -p ${shellQuote(into)} ${UNPACKED}; tar -xzf ${shellQuote(tarball)} -C ${shellQuote(into)} --no-same-owner --touch; ${digest} > ${shellQuote(record)}`,
      unless: [
        `[ -f ${shellQuote(record)} ]`,
        `[ "$(${digest})" = "$(cat ${shellQuote(record)})" ]`,
        ...provides.map((path) => `[ -x ${shellQuote(path)} ]`),
      ].join(' && '),
    }),
  ];
}

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

export function containerd(inventory: Inventory, options: WireStageOptions): Operation[] {
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

export function seedImages(inventory: Inventory, options: WireStageOptions): Operation[] {
  return [
    imageSeedOperation({
      baseUrl: assetBaseUrl(inventory),
      folders: IMAGE_FOLDERS,
      namespace: 'k8s.io',
      recordDir: IMAGE_RECORDS,
      bundleStamp: IMAGE_FOLDERS.map((folder) => bundleStamp(options.bundleRoot, `${folder}.tar`)).join(' '),
    }),
  ];
}

export const KUBEADM_PACKAGES = ['conntrack', 'socat', 'ebtables'];

export function kubePackages(inventory: Inventory, options: WireStageOptions): Operation[] {
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

export function logRotation(): Operation[] {
  return [
    aptPackageOperation({ name: 'logrotate' }),
    templateOperation(
      'kubernetes/logrotate-podlogs',
      { podLogs: '/var/log/pods/*/*/*.log' },
      { path: PODLOGS_LOGROTATE, mode: 0o644 },
    ),
    remoteCheck('logrotate reads the pod log rules', async (context) => {
      const installed = await context.host.exec(`command -v logrotate && [ -f ${PODLOGS_LOGROTATE} ]`);
      if (installed.exitCode !== 0) throw new Error(`logrotate or ${PODLOGS_LOGROTATE} is not there yet`);
      const result = await context.host.exec(`logrotate --debug ${PODLOGS_LOGROTATE} 2>&1`);
      if (result.exitCode === 0) return [];
      return [
        {
          severity: 'error',
          rule: 'kubernetes.log-rotation',
          host: context.host.name,
          message: `logrotate rejects ${PODLOGS_LOGROTATE}`,
          measured: result.stdout.trim().split('\n').at(-1) ?? '',
          fix: `look at ${PODLOGS_LOGROTATE}: logrotate --debug ${PODLOGS_LOGROTATE}`,
        },
      ];
    }),
  ];
}

export const KUBERNETES_NODE_IMPLEMENTATIONS: Record<string, Implementation> = {
  'kubernetes.containerd': {
    needsBundle: true,
    operations: (inventory, _host, options) => containerd(inventory, options),
  },
  'kubernetes.seed-images': {
    needsBundle: true,
    // Gigabytes per node from the asset host: under the engine's lower upload limit.
    upload: true,
    operations: (inventory, _host, options) => seedImages(inventory, options),
  },
  'kubernetes.kube-packages': {
    needsBundle: true,
    operations: (inventory, _host, options) => kubePackages(inventory, options),
  },
  'kubernetes.log-rotation': { operations: () => logRotation() },
};
