import { applyDefaults, type Inventory } from '../../../src/inventory/defaults.js';
import type { InventoryInput } from '../../../src/inventory/schema.js';
import { productionInput as baseProductionInput } from '../../support/inventories.js';

/**
 * Inventories for the planner tests, built the way the tool builds them: an object literal
 * as a user would write it, through applyDefaults. Production mirrors Wire's offline layout
 * (three combined kube nodes, one with sftd and one with coturn; three data nodes; an asset
 * host); the demo is one VM.
 */

export type Overrides = Partial<InventoryInput>;

/** The shared production fixture, with top-level keys replaced. */
export function productionInput(overrides: Overrides = {}): InventoryInput {
  return { ...baseProductionInput(), ...overrides };
}

export function production(overrides: Overrides = {}): Inventory {
  return applyDefaults(productionInput(overrides));
}

export function demo(overrides: Overrides = {}): Inventory {
  return applyDefaults({
    apiVersion: 'wire-install/v1',
    kind: 'Inventory',
    mode: 'demo',
    domain: 'demo.example.com',
    certificates: { mode: 'cert-manager', email: 'certmaster@example.com' },
    hosts: [
      {
        name: 'wire-demo',
        address: '192.168.122.50',
        roles: ['kube-control-plane', 'kube-worker', 'sftd', 'coturn'],
      },
    ],
    ...overrides,
  });
}

/** The production hosts without the calling roles (sftd, coturn). */
export function withoutCallingRoles(input: InventoryInput): InventoryInput {
  return {
    ...input,
    hosts: input.hosts.map((host) => ({
      ...host,
      roles: host.roles.filter((role) => role !== 'sftd' && role !== 'coturn'),
    })),
  };
}
