import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_ITEMS } from '../bundle/verify.js';
import { type Host, hostsWithRole, type Inventory, trafficAddress } from '../inventory/defaults.js';
import { assetDownloadOperation, checksumListOf } from '../operations/asset-download.js';
import type { Operation } from '../operations/types.js';

/**
 * The asset host, as every host sees it: where it is, its URL, and a bundle file downloaded
 * from it (Wire's way of moving the bundle, docs/wire/install-sequences.md#asset-host-and-apt-sources;
 * apply's assets stage puts the files there).
 */
export const ASSETS_DIR = '/opt/assets';
export const ASSETS_PORT = 8080;
/** The tarballs the asset host unpacks (debs, binaries, images). */
export const BUNDLE_TARS = BUNDLE_ITEMS.filter((item) => item.kind === 'tar').map((item) => item.path);

/** The asset host: the assethost in production, the single host of a demo (WIAB Dev's way). */
export function assetHost(inventory: Inventory): Host | undefined {
  return inventory.mode === 'demo' ? inventory.hosts[0] : hostsWithRole(inventory, 'assethost')[0];
}

export function assetBaseUrl(inventory: Inventory): string {
  const host = assetHost(inventory);
  return `http://${host ? trafficAddress(host) : 'assethost'}:${ASSETS_PORT}`;
}

/** Size and modification time of a bundle file: cheap, and changes when the bundle is replaced. */
export function bundleStamp(root: string | undefined, file: string): string {
  if (!root) return 'no bundle.path';
  try {
    const info = statSync(join(root, file));
    return `${info.size}:${Math.round(info.mtimeMs)}`;
  } catch {
    return 'missing';
  }
}

/**
 * A file from the unpacked bundle, downloaded by a host from the asset host. `file` is the path
 * under /opt/assets, e.g. "binaries/minio"; the step's fingerprint follows the tarball it
 * comes from.
 */
export function fromAssets(
  inventory: Inventory,
  options: { bundleRoot: string | undefined },
  file: string,
  path: string,
  mode = 0o644,
): Operation {
  const tar = `${checksumListOf(file).replace(/\.SHA256SUMS$/, '')}.tar`;
  return assetDownloadOperation({
    baseUrl: assetBaseUrl(inventory),
    file,
    path,
    mode,
    bundleStamp: bundleStamp(options.bundleRoot, tar),
  });
}
