import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDefaults, type Inventory } from '../../src/inventory/defaults.js';
import type { InventoryInput } from '../../src/inventory/schema.js';
import { opensslScript } from '../../src/workloads/values/self-signed-certificate.js';
import { demoInput, productionInput } from '../support/inventories.js';
import { createTestPki } from '../support/test-pki.js';

/**
 * The inventories the conformance suite renders Wire's real charts with: what operators choose
 * (demo, production, federation, calling on dedicated nodes, each certificate mode, an existing
 * cluster). The domain is never example.com, so a name left over from Wire's examples shows.
 * Each comes with a folder of its own, as `apply` has the inventory's folder: bring-your-own
 * certificate files and the self-signed certificate live there, made for real (openssl).
 */
export const DOMAIN = 'messenger.northwind.test';
export const FEDERATION_DOMAIN = 'northwind.test';

export interface MatrixInventory {
  name: string;
  inventory: Inventory;
  inventoryDir: string;
}

type Edit = (input: InventoryInput) => void;

function withDomain(input: InventoryInput): InventoryInput {
  input.domain = DOMAIN;
  if (input.certificates.mode === 'cert-manager')
    input.certificates.email = `certmaster@${FEDERATION_DOMAIN}`;
  return input;
}

const selfSigned: Edit = (input) => {
  input.certificates = { mode: 'self-signed' };
};

const bringYourOwn: Edit = (input) => {
  input.certificates = { mode: 'bring-your-own', certChain: 'tls/wire.crt', key: 'tls/wire.key' };
};

const federation: Edit = (input) => {
  input.wire = {
    ...input.wire,
    federation: { enabled: true, domain: FEDERATION_DOMAIN, clientCA: 'tls/federation-ca.crt' },
  };
};

const noCalling: Edit = (input) => {
  input.wire = { ...input.wire, calling: { sft: { enabled: false }, coturn: { enabled: false } } };
  for (const host of input.hosts)
    host.roles = host.roles.filter((role) => role !== 'sftd' && role !== 'coturn');
};

/** SFT and coturn each on a worker of their own, as Wire's production layout has them. */
const dedicatedCalling: Edit = (input) => {
  for (const host of input.hosts)
    host.roles = host.roles.filter((role) => role !== 'sftd' && role !== 'coturn');
  input.hosts.push(
    {
      name: 'sftnode1',
      address: '192.168.122.41',
      externalIp: '203.0.113.41',
      roles: ['kube-worker', 'sftd'],
      resources: { cpus: 8, memoryGiB: 8, diskGiB: 80 },
    },
    {
      name: 'turnnode1',
      address: '192.168.122.42',
      externalIp: '203.0.113.42',
      roles: ['kube-worker', 'coturn'],
      resources: { cpus: 4, memoryGiB: 8, diskGiB: 80 },
    },
  );
};

const existingKubernetes: Edit = (input) => {
  input.kubernetes = { mode: 'existing', kubeconfig: 'admin.conf' };
  for (const host of input.hosts)
    host.roles = host.roles.filter((role) => role !== 'kube-control-plane' && role !== 'kube-worker');
  input.hosts = input.hosts.filter((host) => host.roles.length > 0);
};

const features: Edit = (input) => {
  input.wire = {
    ...input.wire,
    features: {
      mls: true,
      legalhold: true,
      sso: false,
      teamSearchVisibility: true,
      restrictUserCreation: true,
    },
    smtp: {
      mode: 'relay',
      host: 'mail.northwind.test',
      port: 587,
      connType: 'tls',
      username: 'wire',
      sender: 'wire@northwind.test',
    },
  };
};

const MATRIX: readonly { name: string; base: () => InventoryInput; edits: Edit[] }[] = [
  { name: 'demo', base: demoInput, edits: [] },
  { name: 'demo-no-calling', base: demoInput, edits: [noCalling] },
  { name: 'production', base: productionInput, edits: [] },
  { name: 'production-federation', base: productionInput, edits: [federation] },
  { name: 'production-dedicated-calling', base: productionInput, edits: [dedicatedCalling] },
  { name: 'production-bring-your-own', base: productionInput, edits: [bringYourOwn] },
  { name: 'production-self-signed', base: productionInput, edits: [selfSigned, federation] },
  { name: 'production-existing-kubernetes', base: productionInput, edits: [existingKubernetes] },
  { name: 'production-features', base: productionInput, edits: [features, noCalling] },
];

/** Every inventory of the matrix (pure: no file is made yet). */
export function matrixEntries(): { name: string; inventory: Inventory }[] {
  return MATRIX.map((entry) => {
    const input = withDomain(entry.base());
    for (const edit of entry.edits) edit(input);
    return { name: entry.name, inventory: applyDefaults(input) };
  });
}

/**
 * A folder per inventory, as apply has the inventory's folder: the bring-your-own certificate
 * and the federation CA (a real chain from a test CA), and for self-signed the certificate
 * made by the same openssl script apply runs.
 */
export function withFolders(entries: { name: string; inventory: Inventory }[]): MatrixInventory[] {
  const root = mkdtempSync(join(tmpdir(), 'wire-conformance-'));
  const pkiDir = join(root, 'pki');
  mkdirSync(pkiDir);
  const pki = createTestPki(pkiDir);
  const leaf = pki.leaf('wire', { names: [DOMAIN, `*.${DOMAIN}`] });
  return entries.map(({ name, inventory }) => {
    const inventoryDir = join(root, name);
    mkdirSync(join(inventoryDir, 'tls'), { recursive: true });
    writeFileSync(join(inventoryDir, 'tls', 'wire.crt'), readFileSync(leaf.chain));
    writeFileSync(join(inventoryDir, 'tls', 'wire.key'), readFileSync(leaf.key), { mode: 0o600 });
    writeFileSync(join(inventoryDir, 'tls', 'federation-ca.crt'), readFileSync(join(pkiDir, 'root.pem')));
    if (inventory.certificates.mode === 'self-signed')
      execFileSync('sh', ['-c', opensslScript(inventory, inventoryDir)], { stdio: 'pipe' });
    return { name, inventory, inventoryDir };
  });
}
