import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Inventory } from '../../inventory/defaults.js';

/**
 * The ingress certificate nginx-ingress-services (and sftd) get as a TLS secret when there is
 * no cert-manager (docs/wire/dns-and-certificates.md#certificates): the operator's files for bring-your-own (relative paths resolve
 * against the inventory's folder, as the loader does), or the certificate the
 * workloads.self-signed-certificate step writes under .wire-install/.
 */
export const SELF_SIGNED_DIR = join('.wire-install', 'certificates');
export const SELF_SIGNED_CHAIN = 'wire.crt';
export const SELF_SIGNED_KEY = 'wire.key';
export const SELF_SIGNED_CA = 'ca.crt';
export const SELF_SIGNED_CA_KEY = 'ca.key';

export function selfSignedPaths(inventoryDir: string) {
  const dir = join(inventoryDir, SELF_SIGNED_DIR);
  return {
    dir,
    chain: join(dir, SELF_SIGNED_CHAIN),
    key: join(dir, SELF_SIGNED_KEY),
    ca: join(dir, SELF_SIGNED_CA),
    caKey: join(dir, SELF_SIGNED_CA_KEY),
  };
}

/** Where the chain and key are read from, or undefined with cert-manager (it issues them in the cluster). */
export function certificatePaths(
  inventory: Inventory,
  inventoryDir: string,
): { chain: string; key: string } | undefined {
  const { certificates } = inventory;
  if (certificates.mode === 'bring-your-own')
    return {
      chain: resolve(inventoryDir, certificates.certChain),
      key: resolve(inventoryDir, certificates.key),
    };
  if (certificates.mode === 'self-signed') return selfSignedPaths(inventoryDir);
  return undefined;
}

/** The PEM text of the ingress certificate, when both files exist (a self-signed one is made during apply). */
export function readCertificate(
  inventory: Inventory,
  inventoryDir: string,
): { chain: string; key: string } | undefined {
  const paths = certificatePaths(inventory, inventoryDir);
  if (!paths || !existsSync(paths.chain) || !existsSync(paths.key)) return undefined;
  return { chain: readFileSync(paths.chain, 'utf8'), key: readFileSync(paths.key, 'utf8') };
}

/**
 * The private keys of the ingress certificate that exist when a run starts (bring-your-own's
 * key; a self-signed installation's key and CA key): they are secrets as much as secrets.yaml's,
 * and reach the nginx-ingress-services secrets file, so what a run reports must not show them.
 */
export function certificateKeyTexts(inventory: Inventory, inventoryDir: string): string[] {
  const paths = certificatePaths(inventory, inventoryDir);
  if (!paths) return [];
  const keys =
    inventory.certificates.mode === 'self-signed'
      ? [paths.key, selfSignedPaths(inventoryDir).caKey]
      : [paths.key];
  return keys.filter((path) => existsSync(path)).map((path) => readFileSync(path, 'utf8'));
}
