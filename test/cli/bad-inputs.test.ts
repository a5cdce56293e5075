import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki, wireNames } from '../support/test-pki.js';
import { REPO_ROOT, runCli } from './run-cli.js';

/**
 * The bad inputs a sysadmin really writes, each run through the built CLI (`apply --plan --offline`):
 * every one must exit 2 with a message naming the rule (or key) and the offending value,
 * and never a stack trace.
 */

const example = readFileSync(join(REPO_ROOT, 'inventory.example.yaml'), 'utf8');
let dir: string;
let pki: TestPki;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wire-install-bad-'));
  pki = createTestPki(dir);
});

async function planFor(inventoryText: string, name: string) {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, inventoryText);
  const result = await runCli(['apply', '--plan', '--offline', '--inventory', file]);
  expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
  return { ...result, file, output: `${result.stdout}\n${result.stderr}` };
}

/** The example inventory switched to bring-your-own certificates with the given files. */
function withCertificate(chain: string, key: string): string {
  return example.replace(
    /certificates:\n( {2}.*\n)+/,
    `certificates:\n  mode: bring-your-own\n  certChain: ${chain}\n  key: ${key}\n`,
  );
}

describe('bad inventories are refused with exit 2 and a message a sysadmin understands', () => {
  it('accepts the example inventory (the baseline every case below breaks)', async () => {
    const result = await planFor(example, 'baseline');
    expect(result.exitCode).toBe(0);
  });

  it('warnings do not stop the plan, and go to stderr so the plan on stdout stays clean', async () => {
    const result = await planFor(example.replace('address: 192.168.122.33', 'address: 10.1.1.33'), 'ten-net');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.startsWith('Plan for wire.example.com (production)\n')).toBe(true);
    expect(result.stdout).not.toContain('address.ten-network');
    expect(result.stderr).toContain('warning address.ten-network [datanode3]');
    expect(result.stderr).toContain('10.1.1.33');
  });

  it('broken YAML: names the line and column', async () => {
    const text = example.replace('  - name: datanode2\n', '  - name: datanode2\n   broken: [\n');
    const line = text.split('\n').findIndex((l) => l.includes('broken: [')) + 1;
    const result = await planFor(text, 'broken-yaml');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`broken-yaml.yaml:(${line}|${line + 1}):\\d+: the inventory is not valid YAML`),
    );
  });

  it('an unknown key: names its path', async () => {
    const result = await planFor(
      example.replace('  user: wire\n', '  user: wire\n  usr: wire\n'),
      'unknown-key',
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown-key.yaml:\d+:\d+: ssh: unknown key "usr"/);
  });

  it('a production inventory with two Cassandra hosts', async () => {
    const text = example.replace(
      '  - name: datanode3\n    address: 192.168.122.33\n    roles: [cassandra, elasticsearch',
      '  - name: datanode3\n    address: 192.168.122.33\n    roles: [elasticsearch',
    );
    const result = await planFor(text, 'two-cassandra');
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('roles.count');
    expect(result.output).toMatch(/cassandra/);
    expect(result.output).toMatch(/found 2 hosts/);
  });

  it('a Kubernetes node declared with 4 GB of memory', async () => {
    const text = example.replace(
      'roles: [kube-control-plane, kube-worker]\n    resources: { cpus: 6, memoryGiB: 8',
      'roles: [kube-control-plane, kube-worker]\n    resources: { cpus: 6, memoryGiB: 4',
    );
    const result = await planFor(text, 'small-kube');
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('hardware.memory');
    expect(result.output).toContain('kubenode1');
    expect(result.output).toMatch(/found 4 GiB/);
    expect(result.output).toMatch(/8 GiB/);
  });

  it('a host address inside the pod network', async () => {
    const result = await planFor(
      example.replace('address: 192.168.122.32', 'address: 10.233.70.5'),
      'pod-cidr',
    );
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('address.in-pod-cidr');
    expect(result.output).toContain('10.233.70.5');
    expect(result.output).toContain('10.233.64.0/18');
  });

  it('duplicate addresses', async () => {
    const result = await planFor(
      example.replace('address: 192.168.122.32', 'address: 192.168.122.31'),
      'dup-address',
    );
    expect(result.exitCode).toBe(2);
    expect(result.output).toMatch(/address\.(ssh|private)-duplicate/);
    expect(result.output).toContain('192.168.122.31');
    expect(result.output).toContain('datanode1');
    expect(result.output).toContain('datanode2');
  });

  it('sftd and coturn on one node', async () => {
    const text = example
      .replace('roles: [kube-control-plane, kube-worker, coturn]', 'roles: [kube-control-plane, kube-worker]')
      .replace(
        'roles: [kube-control-plane, kube-worker, sftd]',
        'roles: [kube-control-plane, kube-worker, sftd, coturn]',
      );
    const result = await planFor(text, 'sftd-coturn');
    expect(result.exitCode).toBe(2);
    expect(result.output).toMatch(/calling\.[a-z-]+/);
    expect(result.output).toContain('kubenode2');
    expect(result.output).toMatch(/sftd.*coturn|coturn.*sftd/);
  });

  it('a certificate that does not cover nginz-ssl.<domain>', async () => {
    const names = wireNames('wire.example.com').filter((name) => !name.startsWith('nginz-ssl.'));
    const { chain, key } = pki.leaf('no-nginz-ssl', { names });
    const result = await planFor(withCertificate(chain, key), 'no-nginz-ssl');
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('cert.san');
    expect(result.output).toContain('nginz-ssl.wire.example.com');
  });

  it('an expired certificate', async () => {
    const { chain, key } = pki.leaf('expired', { names: ['*.wire.example.com'], days: -1 });
    const result = await planFor(withCertificate(chain, key), 'expired');
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('cert.expired');
    expect(result.output).toMatch(/20\d\d/); // the expiry date is shown
  });

  it('a key that does not match its certificate', async () => {
    const { chain } = pki.leaf('mismatch', { names: ['*.wire.example.com'] });
    const result = await planFor(withCertificate(chain, pki.strayKey()), 'mismatch');
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('cert.key-match');
  });

  it('a valid wildcard certificate with its chain passes', async () => {
    const { chain, key } = pki.leaf('good', { names: ['*.wire.example.com', 'wire.example.com'] });
    const result = await planFor(withCertificate(chain, key), 'good-cert');
    expect(result.output).not.toContain('cert.');
    expect(result.exitCode).toBe(0);
  });
});
