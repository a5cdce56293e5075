import { describe, expect, it } from 'vitest';
import type { InitAnswers } from '../../../src/init/answers.js';
import { rebaseOnto } from '../../../src/init/prepare.js';
import { renderInventory } from '../../../src/init/render-inventory.js';
import { toInventoryInput } from '../../../src/init/to-inventory.js';
import { parseInventoryText } from '../../../src/inventory/load.js';
import { inventorySchema } from '../../../src/inventory/schema.js';

const DEMO: InitAnswers = {
  mode: 'demo',
  domain: 'wire.example.com',
  certificates: 'self-signed',
  hosts: [{ name: 'wire', address: '192.168.122.10', roles: [], cpus: 16, memoryGiB: 24, diskGiB: 250 }],
  sft: true,
  sftParticipants: 20,
  coturn: true,
};

const PRODUCTION: InitAnswers = {
  mode: 'production',
  domain: 'wire.example.com',
  certificates: 'cert-manager',
  certEmail: 'certmaster@example.com',
  certStaging: false,
  sshUser: 'wire',
  sshIdentityFile: '~/.ssh/id_ed25519',
  bastion: '203.0.113.5',
  bastionUser: 'jump',
  sudo: 'passwordless',
  bundle: 'bundle',
  hosts: [
    { name: 'kubenode1', address: '192.168.122.21', roles: ['kube-control-plane', 'kube-worker'] },
    {
      name: 'kubenode2',
      address: 'kube2.lan',
      privateAddress: '192.168.122.22',
      externalIp: '203.0.113.22',
      roles: ['kube-worker', 'sftd'],
    },
    {
      name: 'datanode1',
      address: '192.168.122.31',
      roles: ['cassandra', 'cassandra', 'minio'],
      diskGiB: 800,
    },
  ],
  sft: true,
  coturn: false,
};

describe('answers -> inventory', () => {
  it('makes a demo inventory: the one host gets Kubernetes plus the calling roles', () => {
    const input = toInventoryInput(DEMO);
    expect(input).toEqual({
      apiVersion: 'wire-install/v1',
      kind: 'Inventory',
      mode: 'demo',
      domain: 'wire.example.com',
      certificates: { mode: 'self-signed' },
      hosts: [
        {
          name: 'wire',
          address: '192.168.122.10',
          roles: ['kube-control-plane', 'kube-worker', 'sftd', 'coturn'],
          resources: { cpus: 16, memoryGiB: 24, diskGiB: 250 },
        },
      ],
      wire: { calling: { sft: { enabled: true, concurrentParticipants: 20 }, coturn: { enabled: true } } },
    });
    expect(inventorySchema.safeParse(input).success).toBe(true);
  });

  it('makes a production inventory with only the keys that were answered, in reading order', () => {
    const input = toInventoryInput(PRODUCTION, { rebasePath: (path) => `./${path}` });
    expect(Object.keys(input)).toEqual([
      'apiVersion',
      'kind',
      'mode',
      'domain',
      'certificates',
      'ssh',
      'hosts',
      'bundle',
      'wire',
    ]);
    expect(input.certificates).toEqual({
      mode: 'cert-manager',
      email: 'certmaster@example.com',
      staging: false,
    });
    expect(input.ssh).toEqual({
      user: 'wire',
      identityFile: '~/.ssh/id_ed25519',
      bastion: { address: '203.0.113.5', user: 'jump' },
      become: { enabled: true, password: false },
    });
    expect(input.hosts[1]).toEqual({
      name: 'kubenode2',
      address: 'kube2.lan',
      privateAddress: '192.168.122.22',
      externalIp: '203.0.113.22',
      roles: ['kube-worker', 'sftd'],
    });
    expect(input.hosts[2]?.roles).toEqual(['cassandra', 'minio']);
    expect(input.hosts[2]?.resources).toEqual({ diskGiB: 800 });
    expect(input.bundle).toEqual({ path: './bundle' });
    expect(input.wire).toEqual({ calling: { sft: { enabled: true }, coturn: { enabled: false } } });
    expect(inventorySchema.safeParse(input).success).toBe(true);
  });

  it('maps each sudo answer to become, and leaves ssh out when nothing was said', () => {
    expect(toInventoryInput({ ...DEMO, sudo: 'none' }).ssh).toEqual({ become: { enabled: false } });
    expect(toInventoryInput({ ...DEMO, sudo: 'password' }).ssh).toEqual({
      become: { enabled: true, password: true },
    });
    expect(toInventoryInput(DEMO).ssh).toBeUndefined();
  });

  it('renders YAML that starts with the schema header and reads back to the same input', () => {
    for (const answers of [DEMO, PRODUCTION]) {
      const input = toInventoryInput(answers);
      const text = renderInventory(input, '/tmp/site/inventory.yaml');
      expect(text.split('\n')[0]).toMatch(
        /^# yaml-language-server: \$schema=.*schema\/inventory\.schema\.json$/,
      );
      expect(parseInventoryText(text, '/tmp/site/inventory.yaml').input).toEqual(input);
    }
    const text = renderInventory(toInventoryInput(PRODUCTION), '/tmp/site/inventory.yaml');
    expect(text).toContain('    roles: [kube-worker, sftd]\n');
    expect(text).toContain('\nhosts:\n');
  });

  it('rebases typed paths onto the inventory directory', () => {
    const rebase = rebaseOnto('/home/admin', '/home/admin/site/inventory.yaml');
    expect(rebase('certs/chain.pem')).toBe('../certs/chain.pem');
    expect(rebase('site/bundle')).toBe('./bundle');
    expect(rebase('/abs/chain.pem')).toBe('/abs/chain.pem');
    expect(rebase('~/bundle')).toBe('~/bundle');
  });
});
