import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/inventory/defaults.js';
import { sha512Crypt } from '../../../src/secrets/sha512-crypt.js';
import { chartsFor } from '../../../src/wire/charts.js';
import { chartFiles } from '../../../src/workloads/values.js';
import { realHelm } from '../../support/helm-binary.js';
import { demo, production } from '../../support/inventories.js';
import { TEST_CERTIFICATE, testSecrets } from '../../support/test-secrets.js';
import { pinnedBundle } from '../../support/upstream-charts.js';

/**
 * The REAL helm binary renders Wire's REAL charts (the pinned wire-develop set) with the
 * computed values and secrets files: what helm makes of them is what a cluster would get. The
 * files are written as the chart steps hand them to helm: 0600 in a private 0700 directory,
 * given with -f. The conformance suite (test/conformance) renders and lints every release of
 * many inventories; this file follows single values to where Wire's charts put them.
 */
const run = promisify(execFile);
const BUNDLE = pinnedBundle();

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
  stringData?: Record<string, string>;
  subsets?: { addresses: { ip: string }[] }[];
  spec?: Record<string, unknown>;
}

async function template(release: string, args: string[]): Promise<Manifest[]> {
  const { stdout } = await run(helm, ['template', release, join(BUNDLE, 'charts', release), ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return yaml
    .loadAll(stdout, undefined, { json: true })
    .filter((doc): doc is Manifest => doc !== null && typeof doc === 'object');
}

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((doc) => doc.kind === kind && doc.metadata.name === name);
  if (!found) throw new Error(`helm rendered no ${kind} ${name}`);
  return found;
}

const decoded = (manifest: Manifest, key: string) =>
  Buffer.from(manifest.data?.[key] ?? '', 'base64').toString();

describe("the computed files reach Wire's real charts as intended (helm template)", () => {
  it('wire-server: zauth keys, TURN secret, basic auth from secrets.yaml; the domain and services in the ConfigMaps', async () => {
    const secrets = testSecrets();
    const manifests = await template('wire-server', files(production(), 'wire-server'));
    const brig = find(manifests, 'Secret', 'brig');
    expect(decoded(brig, 'publickey.txt')).toBe(secrets.zauth.publicKey);
    expect(decoded(brig, 'secretkey.txt')).toBe(secrets.zauth.secretKey);
    expect(decoded(brig, 'turn-secret.txt')).toBe(secrets.turnSecret);
    const nginz = find(manifests, 'Secret', 'nginz');
    expect(decoded(nginz, 'zauth.conf')).toBe(secrets.zauth.publicKey);
    const [user, hash] = decoded(nginz, 'basic_auth.txt').split(':');
    expect(user).toBe(secrets.nginzBasicAuth.username);
    // The line nginx reads: the password's SHA-512 crypt hash with the salt it names.
    const salt = hash?.split('$')[2] ?? '';
    expect(hash).toBe(sha512Crypt(secrets.nginzBasicAuth.password, salt));
    const config = find(manifests, 'ConfigMap', 'brig').data?.['brig.yaml'] ?? '';
    expect(config).toContain('setFederationDomain: wire.example.com');
    expect(config).toContain('tActivationUrl: https://nginz-https.wire.example.com/register');
    expect(config).toContain('host: postgresql-external-rw');
    expect(find(manifests, 'ConfigMap', 'turn').data?.['turn-servers-v2.txt']).toContain(
      'turn:203.0.113.23:3478?transport=tcp',
    );
    expect(decoded(find(manifests, 'Secret', 'galley'), 'removal_ecdsa_secp521r1_sha512.pem')).toBe(
      secrets.mlsRemovalKeys.ecdsa_secp521r1_sha512,
    );
    expect(find(manifests, 'ConfigMap', 'gundeck').data?.['gundeck.yaml']).toContain(
      'host: databases-ephemeral-redis-ephemeral',
    );
    // The index jobs get their credentials file, and pgPassword in the same mounted Secret.
    const index = find(manifests, 'Secret', 'elasticsearch-index');
    expect(decoded(index, 'pgPassword')).toBe(secrets.postgresql.password);
    expect(yaml.load(decoded(index, 'elasticsearch-credentials.yaml'))).toEqual({
      username: 'elastic',
      password: secrets.elasticsearch.password,
    });
  });

  it('wire-server demo: brig logs in to the in-cluster Elasticsearch with the password databases-ephemeral starts it with', async () => {
    const secrets = testSecrets();
    const manifests = await template('wire-server', files(demo(), 'wire-server'));
    const brigConfig = find(manifests, 'ConfigMap', 'brig').data?.['brig.yaml'] ?? '';
    expect(brigConfig).toContain('credentials: /etc/wire/brig/secrets/elasticsearch-credentials.yaml');
    expect(yaml.load(decoded(find(manifests, 'Secret', 'brig'), 'elasticsearch-credentials.yaml'))).toEqual({
      username: 'elastic',
      password: secrets.elasticsearch.password,
    });
    const databases = await template('databases-ephemeral', files(demo(), 'databases-ephemeral'));
    const elasticsearch = databases.find((doc) => doc.kind === 'Deployment' || doc.kind === 'StatefulSet');
    expect(JSON.stringify(elasticsearch?.spec)).toContain(
      JSON.stringify({ name: 'ELASTIC_PASSWORD', value: secrets.elasticsearch.password }),
    );
  });

  it('helm lint passes with both files; without the secrets file helm template fails', async () => {
    const args = files(demo(), 'wire-server');
    const lint = await run(helm, ['lint', join(BUNDLE, 'charts', 'wire-server'), ...args]);
    expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    const valuesOnly = args.slice(0, 2);
    await expect(
      run(helm, ['template', 'wire-server', join(BUNDLE, 'charts', 'wire-server'), ...valuesOnly]),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/secrets/) });
  });

  it('coturn: the same TURN secret as brig; the node selector and external IP placeholder', async () => {
    const manifests = await template('coturn', files(demo(), 'coturn'));
    expect(find(manifests, 'Secret', 'coturn').stringData?.['zrest_secret.txt']).toBe(
      `${testSecrets().turnSecret}\n`,
    );
    const spec = find(manifests, 'StatefulSet', 'coturn').spec as {
      template: { spec: { nodeSelector: Record<string, string> } };
    };
    expect(spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'wire-demo' });
    expect(find(manifests, 'ConfigMap', 'coturn').data?.['coturn.conf.template']).toContain(
      '__COTURN_EXT_IP__',
    );
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
    const tls = demoManifests.find((doc) => doc.kind === 'Secret' && doc.data?.['tls.crt'] !== undefined);
    expect(tls && decoded(tls, 'tls.crt')).toBe(TEST_CERTIFICATE.chain);
    expect(tls && decoded(tls, 'tls.key')).toBe(TEST_CERTIFICATE.key);

    const prodManifests = await template(
      'nginx-ingress-services',
      files(production(), 'nginx-ingress-services'),
    );
    expect(prodManifests.some((doc) => doc.kind === 'Secret')).toBe(false);
    const issuer = find(prodManifests, 'ClusterIssuer', 'letsencrypt-http01').spec as {
      acme: { email: string };
    };
    expect(issuer.acme.email).toBe('certmaster@example.com');
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
      const service = find(manifests, 'Service', 'ingress-nginx-controller-controller').spec as {
        ports: { name: string; nodePort: number }[];
      };
      expect(service.ports.map((port) => `${port.name}:${port.nodePort}`).sort()).toEqual([
        'http:31772',
        'https:31773',
      ]);
      const controller = find(manifests, 'DaemonSet', 'ingress-nginx-controller-controller')
        .spec as Controller;
      return controller.template.spec.containers[0]?.ports
        .filter((port) => port.name === 'http' || port.name === 'https')
        .map((port) => `${port.name}:${port.hostPort ?? '-'}`);
    };
    expect(await hostPorts(demo())).toEqual(['http:80', 'https:443']);
    expect(await hostPorts(production())).toEqual(['http:-', 'https:-']);
  });
});
