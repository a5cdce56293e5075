import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Inventory } from '../../inventory/defaults.js';

/**
 * The CA certificates the federation ingress trusts for the client certificates of other
 * backends (nginx-ingress-services `secrets.tlsClientCA`): the PEM file
 * wire.federation.clientCA names, relative to the inventory's folder. Read only with
 * federation on; a missing file is reported by the inventory rules before anything runs.
 */
export function readFederationCA(inventory: Inventory, inventoryDir: string): string | undefined {
  const { federation } = inventory.wire;
  if (!federation.enabled || federation.clientCA === undefined) return undefined;
  const path = resolve(inventoryDir, federation.clientCA);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}
