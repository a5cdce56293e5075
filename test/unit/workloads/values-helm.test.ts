import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/inventory/defaults.js';
import { chartsFor } from '../../../src/steps/workloads/charts.js';
import { chartFiles } from '../../../src/workloads/values.js';
import { realHelm } from '../../support/helm-binary.js';
import { demo, production } from '../../support/inventories.js';
import { TEST_CERTIFICATE, testSecrets } from '../../support/test-secrets.js';

/**
 * The REAL helm binary renders the project's fixture charts (test/fixtures/charts, templates
 * that read the keys wire-install sets and `required` the secrets) with the computed values and
 * secrets files: what helm makes of them is what a cluster would get. The files are written as
 * the chart steps hand them to helm: 0600 in a private 0700 directory, given with -f.
 */
const run = promisify(execFile);
const BUNDLE = join(import.meta.dirname, '../../fixtures/bundle-values');
const CHARTS = join(import.meta.dirname, '../../fixtures/charts');

let helm: string;
let dir: string;
beforeAll(() => {
  helm = realHelm();
  dir = mkdtempSync(join(tmpdir(), 'wire-helm-'));
  chmodSync(dir, 0o700);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** -f arguments for one release: the values file, and the secrets file when there is one. */
function files(inventory: Inventory, release: string, secrets = testSecrets()): string[] {
  const chart = chartsFor(inventory.mode).find((candidate) => candidate.release === release);
  if (!chart) throw new Error(`${release} is not a ${inventory.mode} chart`);
  const rendered = chartFiles(inventory, secrets, BUNDLE, chart, { certificate: TEST_CERTIFICATE });
  const values = join(dir, `${inventory.mode}-${release}.values.yaml`);
  writeFileSync(values, rendered.values, { mode: 0o600 });
  if (rendered.secrets === undefined) return ['-f', values];
  const secretsFile = join(dir, `${inventory.mode}-${release}.secrets.yaml`);
  writeFileSync(secretsFile, rendered.secrets, { mode: 0o600 });
  expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
  return ['-f', values, '-f', secretsFile];
}

interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  subsets?: { addresses: { ip: string }[] }[];
  spec?: Record<string, unknown>;
}

async function template(release: string, args: string[]): Promise<Manifest[]> {
  const { stdout } = await run(helm, ['template', release, join(CHARTS, release), ...args]);
  return yaml.loadAll(stdout).filter((doc): doc is Manifest => doc !== null && typeof doc === 'object');
}

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((doc) => doc.kind === kind && doc.metadata.name === name);
  if (!found) throw new Error(`helm rendered no ${kind} ${name}`);
  return found;
}

const decoded = (manifest: Manifest, key: string) =>
  Buffer.from(manifest.data?.[key] ?? '', 'base64').toString();

describe('the computed files reach the real helm as intended', () => {
  it('wire-server: the zauth keys and TURN secret from secrets, the domain in the ConfigMap', async () => {
    const secrets = testSecrets();
    const manifests = await template('wire-server', files(production(), 'wire-server'));
    const brig = find(manifests, 'Secret', 'brig');
    expect(decoded(brig, 'publickey.txt')).toBe(secrets.zauth.publicKey);
    expect(decoded(brig, 'secretkey.txt')).toBe(secrets.zauth.secretKey);
    expect(decoded(brig, 'turn-secret.txt')).toBe(secrets.turnSecret);
    expect(decoded(find(manifests, 'Secret', 'nginz'), 'zauth.conf')).toBe(secrets.zauth.publicKey);
    const config = find(manifests, 'ConfigMap', 'brig').data?.['brig.yaml'] ?? '';
    expect(config).toContain('federationDomain: wire.example.com');
    expect(config).toContain('nginz: https://nginz-https.wire.example.com');
    expect(config).toContain('postgresql: postgresql-external-rw:5432');
    expect(config).toContain('"turn:203.0.113.23:3478?transport=tcp"');
    expect(decoded(find(manifests, 'Secret', 'galley'), 'removal_ecdsa_secp521r1_sha512.pem')).toBe(
      secrets.mlsRemovalKeys.ecdsa_secp521r1_sha512,
    );
    expect(find(manifests, 'ConfigMap', 'gundeck').data?.redis).toBe('redis-ephemeral:6379');
  });

  it('helm lint passes with both files; without the secrets file helm template fails naming the key', async () => {
    const args = files(demo(), 'wire-server');
    const lint = await run(helm, ['lint', join(CHARTS, 'wire-server'), ...args]);
    expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    const valuesOnly = args.slice(0, 2);
    await expect(
      run(helm, ['template', 'wire-server', join(CHARTS, 'wire-server'), ...valuesOnly]),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/(brig|nginz)\.secrets\.zAuth\.\w+|galley\.secrets\.mlsPrivateKeys/),
    });
  });

  it.each([
    ['production', 'wire-server'],
    ['production', 'coturn'],
    ['production', 'cassandra-external'],
    ['production', 'nginx-ingress-services'],
    ['demo', 'coturn'],
    ['demo', 'nginx-ingress-services'],
    ['production', 'ingress-nginx-controller'],
    ['demo', 'ingress-nginx-controller'],
  ] as const)('helm lint of %s %s with the computed files passes', async (mode, release) => {
    const inventory = mode === 'demo' ? demo() : production();
    const lint = await run(helm, ['lint', join(CHARTS, release), ...files(inventory, release)]);
    expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('coturn: the same TURN secret as brig; the node selector and external IP placeholder', async () => {
    const manifests = await template('coturn', files(demo(), 'coturn'));
    expect(decoded(find(manifests, 'Secret', 'coturn'), 'zrest_secret.txt')).toBe(testSecrets().turnSecret);
    const spec = find(manifests, 'StatefulSet', 'coturn').spec as {
      template: {
        spec: { nodeSelector: Record<string, string>; containers: { env: { value: string }[] }[] };
      };
    };
    expect(spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'wire-demo' });
    expect(spec.template.spec.containers[0]?.env[0]?.value).toBe('__COTURN_EXT_IP__');
  });

  it('cassandra-external: Endpoints at the Cassandra hosts', async () => {
    const manifests = await template('cassandra-external', files(production(), 'cassandra-external'));
    expect(find(manifests, 'Endpoints', 'cassandra-external').subsets?.[0]?.addresses).toEqual([
      { ip: '192.168.122.31' },
      { ip: '192.168.122.32' },
      { ip: '192.168.122.33' },
    ]);
  });

  it('nginx-ingress-services: the TLS secret from the secrets file (self-signed demo), the issuer with cert-manager', async () => {
    const demoManifests = await template('nginx-ingress-services', files(demo(), 'nginx-ingress-services'));
    const tls = find(demoManifests, 'Secret', 'nginz-certificate');
    expect(decoded(tls, 'tls.crt')).toBe(TEST_CERTIFICATE.chain);
    expect(decoded(tls, 'tls.key')).toBe(TEST_CERTIFICATE.key);

    const prodManifests = await template(
      'nginx-ingress-services',
      files(production(), 'nginx-ingress-services'),
    );
    expect(prodManifests.some((doc) => doc.kind === 'Secret')).toBe(false);
    expect(find(prodManifests, 'Issuer', 'letsencrypt-http01').spec).toEqual({
      acme: { email: 'certmaster@example.com' },
    });
  });

  it('ingress-nginx-controller: NodePorts 31773/31772 in both modes; hostPorts 443/80 only in a demo', async () => {
    type Controller = {
      template: { spec: { containers: { ports: { name: string; hostPort?: number }[] }[] } };
    };
    const hostPorts = async (inventory: Inventory) => {
      const manifests = await template(
        'ingress-nginx-controller',
        files(inventory, 'ingress-nginx-controller'),
      );
      const service = find(manifests, 'Service', 'ingress-nginx-controller').spec as {
        ports: { name: string; nodePort: number }[];
      };
      expect(service.ports.map((port) => `${port.name}:${port.nodePort}`)).toEqual([
        'https:31773',
        'http:31772',
      ]);
      const controller = find(manifests, 'DaemonSet', 'ingress-nginx-controller').spec as Controller;
      return controller.template.spec.containers[0]?.ports.map(
        (port) => `${port.name}:${port.hostPort ?? '-'}`,
      );
    };
    expect(await hostPorts(demo())).toEqual(['http:80', 'https:443']);
    expect(await hostPorts(production())).toEqual(['http:-', 'https:-']);
  });
});
