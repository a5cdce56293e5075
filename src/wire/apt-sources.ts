import type { Inventory } from '../inventory/defaults.js';
import { assetBaseUrl } from './assets.js';

/**
 * The bundle's apt repository as a host's apt sees it, which bootstrap-host.apt-sources writes
 * and doctor's hosts.apt-sources compares against.
 */

/** Ubuntu's codename for a host's version, for the bundle's repository (debs-jammy for 22.04). */
export const bundleRelease = (versionId: string) => (versionId === '24.04' ? 'noble' : 'jammy');

/**
 * The repository key as Wire's build exports it, ASCII-armoured (`gpg --export -a`), so under a
 * .asc name: apt takes a .gpg keyring for binary. docs/wire/deployment-sources.md#apt-repository-key
 */
export const BUNDLE_KEYRING = '/etc/apt/keyrings/wire-bundle.asc';

/** The sources line of the bundle's repository on a host of that Ubuntu version (doctor's hosts.apt-sources compares against it). */
export function bundleAptLine(inventory: Inventory, osVersionId: string): string {
  const release = bundleRelease(osVersionId);
  return (
    inventory.bundle.aptRepository ??
    `deb [signed-by=${BUNDLE_KEYRING}] ${assetBaseUrl(inventory)}/debs-${release}/public ${release} main`
  );
}
