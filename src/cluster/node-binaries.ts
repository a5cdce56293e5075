import { basename } from 'node:path';
import { shellQuote } from '../hosts/become.js';
import type { Inventory } from '../inventory/defaults.js';
import { commandOperation } from '../operations/command.js';
import type { Operation } from '../operations/types.js';
import { fromAssets } from '../wire/assets.js';

/**
 * A Kubernetes node before kubeadm: the container runtime, every image seeded into it, the
 * Kubernetes binaries and the pod log rotation, all from the bundle through the asset host, as
 * Wire's offline path does with kubespray (docs/wire/install-sequences.md#container-runtime, #image-seeding, #kubernetes-cluster, #offline-bundle, docs/wire/health-and-ports.md#health-checks).
 * Here: where the binaries go and how a tarball of them is unpacked, which the containerd and
 * kube-packages steps share.
 */

export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
export const CNI_BIN_DIR = '/opt/cni/bin';
export const BIN = '/usr/local/bin';
/** Tarballs downloaded from the asset host, and what was last unpacked from each. */
const DOWNLOADS = '/var/lib/wire-install/downloads';
export const UNPACKED = '/var/lib/wire-install/unpacked';

/**
 * A tarball from the bundle unpacked into `into`: downloaded once (checksum-checked), unpacked
 * again only when its checksum differs from the one recorded after the last unpack, or when a
 * file it provides is gone. `--touch` gives the files the time of the unpack, so a unit that
 * watches them restarts after an upgrade.
 */
export function unpackedTarball(
  inventory: Inventory,
  options: { bundleRoot: string | undefined },
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
