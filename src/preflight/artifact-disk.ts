import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../core/finding.js';
import type { HostFacts } from '../hosts/facts.js';
import type { Host, Inventory } from '../inventory/defaults.js';

/**
 * Enough free disk for what the bundle puts on a host, measured before anything is copied
 * (docs/wire/install-sequences.md#offline-bundle: an asset host that runs out of space fails halfway with "no space left on device").
 * - The asset host keeps each tarball and its unpacked tree: twice the tarballs, on the
 *   filesystem of /var/lib (facts.disk; /opt is usually the same root filesystem).
 * - A Kubernetes node imports every image into containerd under /var/lib/containerd: the image
 *   tarballs once, plus the binaries.
 * What is already on a host from an earlier run counts against this, so the check is an upper
 * bound on a first run and generous on a re-run; it is a warning when less than twice the need
 * is left after it, so an operator sees a full disk coming.
 */
export interface BundleSizes {
  /** Bytes of each tarball in the bundle, by file name (binaries.tar, ...). */
  [tar: string]: number;
}

export function bundleSizes(root: string, tars: readonly string[]): BundleSizes {
  const sizes: BundleSizes = {};
  for (const tar of tars) {
    try {
      sizes[tar] = statSync(join(root, tar)).size;
    } catch {
      // A missing tarball is the bundle check's finding, not this one's.
    }
  }
  return sizes;
}

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

/** Bytes a host needs for the bundle's files, from its roles; 0 when it takes none. */
export function artifactBytesNeeded(inventory: Inventory, host: Host, sizes: BundleSizes): number {
  const size = (tar: string) => sizes[tar] ?? 0;
  const total = Object.values(sizes).reduce((sum, bytes) => sum + bytes, 0);
  const isAssetHost =
    inventory.mode === 'demo' ? inventory.hosts[0]?.name === host.name : host.roles.includes('assethost');
  const isKubeNode = host.roles.some((role) => role === 'kube-control-plane' || role === 'kube-worker');
  return (
    (isAssetHost ? 2 * total : 0) +
    (isKubeNode ? size('containers-system.tar') + size('containers-helm.tar') + size('binaries.tar') : 0)
  );
}

export function checkArtifactDisk(
  inventory: Inventory,
  host: Host,
  facts: HostFacts,
  sizes: BundleSizes,
): Finding[] {
  const needed = artifactBytesNeeded(inventory, host, sizes);
  if (needed === 0) return [];
  const free = facts.disk.freeGiB * GIB;
  const base = {
    rule: 'preflight.disk-for-bundle',
    host: host.name,
    measured: `${facts.disk.freeGiB} GiB free on the filesystem of ${facts.disk.path}`,
    required: `${gib(needed)} for the bundle's files${free >= needed ? ` (${gib(2 * needed)} to keep room)` : ''}`,
  };
  if (free < needed)
    return [
      {
        ...base,
        severity: 'error',
        message: `${host.name} has not enough free disk for the bundle's files it receives`,
        fix: `free space or grow the disk of ${host.name}; on an asset host of an earlier version, remove /opt/assets first`,
      },
    ];
  if (free < 2 * needed)
    return [
      {
        ...base,
        severity: 'warning',
        message: `${host.name} will have little free disk left after receiving the bundle's files`,
        fix: `grow the disk of ${host.name} before the next upgrade, which brings another copy`,
      },
    ];
  return [];
}
