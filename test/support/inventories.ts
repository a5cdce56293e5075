import { applyDefaults, type Inventory } from '../../src/inventory/defaults.js';
import type { DatabaseRole } from '../../src/inventory/roles.js';
import type { HostInput, InventoryInput } from '../../src/inventory/schema.js';

/**
 * Inventories for tests, built the way the loader builds them (object -> applyDefaults).
 * Both follow Wire's layouts (production: three combined kube nodes, one with sftd and one
 * with coturn, three data nodes, an asset host; demo: one VM) and produce no rule finding at
 * all; a test breaks one thing through `edit` and looks for exactly that.
 */

const DATABASES: DatabaseRole[] = ['cassandra', 'elasticsearch', 'minio', 'postgresql', 'rabbitmq'];

export function productionInput(): InventoryInput {
  return {
    apiVersion: 'wire-install/v1',
    kind: 'Inventory',
    mode: 'production',
    domain: 'wire.example.com',
    certificates: { mode: 'cert-manager', email: 'certmaster@example.com' },
    hosts: [
      kube('kubenode1', '192.168.122.21', [], 6),
      { ...kube('kubenode2', '192.168.122.22', ['sftd'], 8), externalIp: '203.0.113.22' },
      { ...kube('kubenode3', '192.168.122.23', ['coturn'], 6), externalIp: '203.0.113.23' },
      datanode('datanode1', '192.168.122.31'),
      datanode('datanode2', '192.168.122.32'),
      datanode('datanode3', '192.168.122.33'),
      {
        name: 'assethost',
        address: '192.168.122.10',
        roles: ['assethost'],
        resources: { cpus: 1, memoryGiB: 4, diskGiB: 100 },
      },
    ],
  };
}

function kube(name: string, address: string, calling: HostInput['roles'], cpus: number): HostInput {
  return {
    name,
    address,
    roles: ['kube-control-plane', 'kube-worker', ...calling],
    resources: { cpus, memoryGiB: 8, diskGiB: 80 },
  };
}

export function datanode(name: string, address: string): HostInput {
  return { name, address, roles: [...DATABASES], resources: { cpus: 8, memoryGiB: 16, diskGiB: 800 } };
}

export function demoInput(): InventoryInput {
  return {
    apiVersion: 'wire-install/v1',
    kind: 'Inventory',
    mode: 'demo',
    domain: 'wire.example.com',
    certificates: { mode: 'self-signed' },
    hosts: [
      {
        name: 'wire-demo',
        address: '192.168.122.50',
        externalIp: '203.0.113.50',
        roles: ['kube-control-plane', 'kube-worker', 'sftd', 'coturn'],
        resources: { cpus: 16, memoryGiB: 16, diskGiB: 200 },
      },
    ],
  };
}

export function production(edit?: (input: InventoryInput) => void): Inventory {
  const input = productionInput();
  edit?.(input);
  return applyDefaults(input);
}

export function demo(edit?: (input: InventoryInput) => void): Inventory {
  const input = demoInput();
  edit?.(input);
  return applyDefaults(input);
}

/** `wire-install init` for a one-host demo, every answer a flag: what the CLI tests of init start from. */
export const DEMO_INIT_ARGS: string[] = [
  'init',
  '--non-interactive',
  '--mode',
  'demo',
  '--domain',
  'wire.example.com',
  '--certificates',
  'self-signed',
  '--host',
  'name=wire,address=192.168.122.10,cpus=16,memory=24,disk=250',
];
