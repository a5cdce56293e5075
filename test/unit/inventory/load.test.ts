import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWireInstallError, type WireInstallError } from '../../../src/core/errors.js';
import { DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR } from '../../../src/inventory/defaults.js';
import { loadInventoryFile, parseInventoryText } from '../../../src/inventory/load.js';

const example = readFileSync(new URL('../../../inventory.example.yaml', import.meta.url), 'utf8');

function failure(text: string): WireInstallError {
  try {
    parseInventoryText(text, 'inventory.yaml');
  } catch (error) {
    if (isWireInstallError(error)) return error;
    throw error;
  }
  throw new Error('expected the inventory to be refused');
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`${needle} not in text`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

describe('loading an inventory', () => {
  it('reads the example inventory and applies defaults in one place', () => {
    const loaded = parseInventoryText(example, 'inventory.example.yaml');
    expect(loaded.inventory.mode).toBe('production');
    expect(loaded.inventory.hosts).toHaveLength(7);
    // privateAddress defaults to the SSH address when that is an IP
    expect(loaded.inventory.hosts[0]?.privateAddress).toBe('192.168.122.21');
    // ssh user wire => sudo on by default; per-host settings inherit the top level
    expect(loaded.inventory.hosts[3]?.ssh).toMatchObject({
      user: 'wire',
      port: 22,
      become: { enabled: true },
    });
    expect(loaded.inventory.wire.federation.domain).toBe('wire.example.com');
    expect(loaded.inventory.wire.smtp).toMatchObject({ mode: 'demo', sender: 'no-reply@wire.example.com' });
  });

  it('fills kubernetes and calling defaults when the keys are absent', () => {
    const text = example
      .replace(/kubernetes:\n( {2}.*\n)+/, '')
      .replace(/ {2}calling:\n( {4}.*\n)+/, '')
      .replace('roles: [kube-control-plane, kube-worker, sftd]', 'roles: [kube-control-plane, kube-worker]');
    const { inventory } = parseInventoryText(text, 'inventory.yaml');
    expect(inventory.kubernetes).toMatchObject({
      mode: 'bundled',
      podCidr: DEFAULT_POD_CIDR,
      serviceCidr: DEFAULT_SERVICE_CIDR,
    });
    expect(inventory.wire.calling.sft.enabled).toBe(false);
    expect(inventory.wire.calling.coturn.enabled).toBe(true);
  });

  it('reports broken YAML with the line and column of the fault', () => {
    const broken = example.replace(
      'roles: [cassandra, elasticsearch, minio, postgresql, rabbitmq]\n    resources: { cpus: 8, memoryGiB: 16, diskGiB: 800 }\n  - name: datanode2',
      'roles: [cassandra, elasticsearch\n    resources: { cpus: 8 }\n  - name: datanode2',
    );
    const error = failure(broken);
    expect(error.exitCode).toBe(2);
    const line = broken.split('\n').findIndex((l) => l.includes('resources: { cpus: 8 }')) + 1;
    expect(error.what).toMatch(new RegExp(`^inventory.yaml:${line}:\\d+: the inventory is not valid YAML`));
  });

  it('reports a duplicated key as a YAML error at its line', () => {
    const error = failure(example.replace('mode: production\n', 'mode: production\nmode: demo\n'));
    expect(error.what).toMatch(/^inventory.yaml:\d+:\d+: .*duplicated mapping key/);
  });

  it('names an unknown key by its path and points at it', () => {
    const text = example.replace(
      'memoryGiB: 16, diskGiB: 800 }\n  - name: datanode3',
      'memoryGiB: 16, disk: 800 }\n  - name: datanode3',
    );
    const error = failure(text);
    expect(error.exitCode).toBe(2);
    expect(error.evidence).toHaveLength(1);
    expect(error.evidence[0]).toBe(
      `inventory.yaml:${positionOf(text, 'disk: 800')}: hosts[4] (datanode2).resources: unknown key "disk" (check the spelling against docs/inventory.md)`,
    );
  });

  it('lists every schema problem at once, each with its key path and value', () => {
    const text = example
      .replace('domain: wire.example.com', 'domain: Wire_Example')
      .replace('mode: cert-manager', 'mode: letsencrypt')
      .replace('address: 192.168.122.33', 'address: 192.168.122.33\n    privateAddress: 192.168.122.333');
    const error = failure(text);
    expect(error.evidence).toHaveLength(3);
    expect(error.evidence.join('\n')).toContain(
      `inventory.yaml:${positionOf(text, 'domain:')}: domain: must be a lower-case DNS domain`,
    );
    expect(error.evidence.join('\n')).toContain(
      'certificates.mode: must be one of "bring-your-own", "cert-manager", "self-signed", found "letsencrypt"',
    );
    expect(error.evidence.join('\n')).toContain('hosts[5] (datanode3).privateAddress:');
    expect(error.evidence.join('\n')).toContain('"192.168.122.333"');
  });

  it('says a required key is missing', () => {
    const error = failure(example.replace('apiVersion: wire-install/v1\n', ''));
    expect(error.evidence[0]).toContain('apiVersion: required key is missing (must be "wire-install/v1")');
  });

  it('refuses a file that is not a mapping', () => {
    expect(failure('- just\n- a list\n').what).toContain('must be a YAML mapping');
  });

  it('says when the file does not exist, with exit 2 and the next step', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wire-install-load-'));
    await expect(loadInventoryFile('missing.yaml', dir)).rejects.toMatchObject({
      exitCode: 2,
      what: `inventory file not found: ${join(dir, 'missing.yaml')}`,
    });
    await writeFile(join(dir, 'inventory.yaml'), example);
    const loaded = await loadInventoryFile('inventory.yaml', dir);
    expect(loaded.baseDir).toBe(dir);
  });
});
