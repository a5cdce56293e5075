import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/inventory/defaults.js';
import type { InventoryInput } from '../../../src/inventory/schema.js';
import { chartsFor } from '../../../src/wire/charts.js';
import { at, type Tree } from '../../../src/workloads/values/tree.js';
import { type ChartFilesOptions, chartFiles } from '../../../src/workloads/values.js';
import { realHelm } from '../../support/helm-binary.js';
import { demo, production } from '../../support/inventories.js';
import { TEST_CERTIFICATE, testSecrets } from '../../support/test-secrets.js';
import { type PinnedSet, pinnedBundle } from '../../support/upstream-charts.js';

/**
 * The defects Wire's real charts showed in what wire-install computed (issue 13), one test
 * each, with the real helm over the pinned sets. Each failed before the fix.
 */
const run = promisify(execFile);

let helm: string;
let dir: string;
beforeAll(() => {
  helm = realHelm();
  dir = mkdtempSync(join(tmpdir(), 'wire-real-charts-'));
  chmodSync(dir, 0o700);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Rendered {
  values: Tree;
  secrets: Tree | undefined;
  files: string[];
}

let fileCount = 0;

function render(
  inventory: Inventory,
  release: string,
  options: ChartFilesOptions = {},
  set: PinnedSet = 'wire-develop',
): Rendered {
  const chart = chartsFor(inventory.mode).find((candidate) => candidate.release === release);
  if (!chart) throw new Error(`${release} is not a ${inventory.mode} chart`);
  const computed = chartFiles(inventory, testSecrets(), pinnedBundle(set), chart, {
    certificate: TEST_CERTIFICATE,
    ...options,
  });
  fileCount += 1;
  const values = join(dir, `${fileCount}.values.yaml`);
  writeFileSync(values, computed.values, { mode: 0o600 });
  const files = ['-f', values];
  if (computed.secrets !== undefined) {
    const secrets = join(dir, `${fileCount}.secrets.yaml`);
    writeFileSync(secrets, computed.secrets, { mode: 0o600 });
    files.push('-f', secrets);
  }
  return {
    values: (yaml.load(computed.values) ?? {}) as Tree,
    secrets: computed.secrets === undefined ? undefined : (yaml.load(computed.secrets) as Tree),
    files,
  };
}

interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

async function template(
  release: string,
  files: string[],
  set: PinnedSet = 'wire-develop',
): Promise<Manifest[]> {
  const { stdout } = await run(
    helm,
    ['template', release, join(pinnedBundle(set), 'charts', release), ...files],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return yaml
    .loadAll(stdout, undefined, { json: true })
    .filter((doc): doc is Manifest => doc !== null && typeof doc === 'object');
}

const decoded = (manifest: Manifest | undefined, key: string) =>
  Buffer.from(manifest?.data?.[key] ?? '', 'base64').toString();

const named = (manifests: Manifest[], kind: string, name: string) =>
  manifests.find((doc) => doc.kind === kind && doc.metadata.name === name);

describe("defects Wire's real charts showed", () => {
  it.each([
    ['wire-5.28', 'production'],
    ['wire-5.28', 'demo'],
    ['wire-develop', 'production'],
    ['wire-develop', 'demo'],
  ] as const)(
    '%s %s: wire-server renders: nginz gets its basic-auth line as user:SHA-512 crypt hash',
    async (set, mode) => {
      const inventory = mode === 'demo' ? demo() : production();
      const wire = render(inventory, 'wire-server', {}, set);
      const line = at(wire.secrets, 'nginz.secrets.basicAuth');
      expect(line).toMatch(
        new RegExp(
          `^${testSecrets().nginzBasicAuth.username}:\\$6\\$[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{86}$`,
        ),
      );
      const manifests = await template('wire-server', wire.files, set);
      expect(decoded(named(manifests, 'Secret', 'nginz'), 'basic_auth.txt')).toBe(line);
    },
  );

  it.each(['production', 'demo'] as const)(
    "%s: gundeck's redis host is the Service the databases-ephemeral release creates",
    async (mode) => {
      const inventory = mode === 'demo' ? demo() : production();
      const host = at(render(inventory, 'wire-server').values, 'gundeck.config.redis.host');
      const redis = await template('databases-ephemeral', render(inventory, 'databases-ephemeral').files);
      const services = redis.filter((doc) => doc.kind === 'Service').map((doc) => doc.metadata.name);
      expect(services).toContain(host);
    },
  );

  it("elasticsearch-index: the migrate-data job's password file is in a Secret that is mounted", async () => {
    const manifests = await template('wire-server', render(production(), 'wire-server').files);
    const job = named(manifests, 'Job', 'brig-index-migrate-data');
    type Job = {
      template: { spec: { containers: { args: string[]; volumeMounts?: { mountPath: string }[] }[] } };
    };
    const container = (job?.spec as Job | undefined)?.template.spec.containers[0];
    const passwordFile = container?.args[(container?.args.indexOf('--pg-password-file') ?? -2) + 1];
    expect(passwordFile).toBe('/etc/wire/elasticsearch-index/secrets/pgPassword');
    expect(container?.volumeMounts?.map((mount) => mount.mountPath)).toContain(
      '/etc/wire/elasticsearch-index/secrets',
    );
    expect(decoded(named(manifests, 'Secret', 'elasticsearch-index'), 'pgPassword')).toBe(
      testSecrets().postgresql.password,
    );
  });

  it("demo: the in-cluster Elasticsearch runs with secrets.yaml's password (not the chart's changeme), and brig logs in with it", async () => {
    const password = testSecrets().elasticsearch.password;
    const databases = await template('databases-ephemeral', render(demo(), 'databases-ephemeral').files);
    const env = JSON.stringify(databases.map((doc) => doc.spec));
    expect(env).toContain(JSON.stringify({ name: 'ELASTIC_PASSWORD', value: password }));
    expect(env).not.toContain('changeme');
    const wire = await template('wire-server', render(demo(), 'wire-server').files);
    expect(yaml.load(decoded(named(wire, 'Secret', 'brig'), 'elasticsearch-credentials.yaml'))).toEqual({
      username: 'elastic',
      password,
    });
  });

  it("demo: PostgreSQL's credentials go under postgresql:, as Wire's wrapper chart takes them, with no Secret of someone else's", () => {
    const postgresql = render(demo(), 'postgresql');
    expect(at(postgresql.values, 'auth')).toBeUndefined();
    expect(at(postgresql.secrets, 'auth')).toBeUndefined();
    expect(at(postgresql.values, 'postgresql.auth.username')).toBe('wire-server');
    expect(at(postgresql.values, 'postgresql.auth.database')).toBe('wire-server');
    expect(at(postgresql.secrets, 'postgresql.auth.password')).toBe(testSecrets().postgresql.password);
    expect(at(postgresql.secrets, 'postgresql.auth.existingSecret')).toBeUndefined();
  });

  it("SFT off: brig announces no SFT URL (not Wire's sftd.example.com)", () => {
    const noCalling = demo((input) => {
      input.wire = { calling: { sft: { enabled: false }, coturn: { enabled: false } } };
      for (const host of input.hosts)
        host.roles = host.roles.filter((role) => role !== 'sftd' && role !== 'coturn');
    });
    expect(
      at(render(noCalling, 'wire-server').values, 'brig.config.optSettings.setSftStaticUrl'),
    ).toBeUndefined();
    expect(at(render(demo(), 'wire-server').values, 'brig.config.optSettings.setSftStaticUrl')).toBe(
      'https://sftd.wire.example.com:443',
    );
  });

  it.each(['production', 'demo'] as const)(
    "%s on another domain: no name or company of Wire's examples in any values file",
    (mode) => {
      const onCorp = (input: InventoryInput) => {
        input.domain = 'chat.corp.test';
        if (input.certificates.mode === 'cert-manager') input.certificates.email = 'pki@corp.test';
      };
      const inventory = mode === 'demo' ? demo(onCorp) : production(onCorp);
      const left = chartsFor(inventory.mode)
        .filter((chart) => chart.when?.applies(inventory) ?? true)
        .flatMap((chart) =>
          yaml
            .dump(render(inventory, chart.release).values)
            .split('\n')
            .filter((line) => /example\.(com|org)|YourCompany/.test(line))
            .map((line) => `${chart.release}: ${line.trim()}`),
        );
      expect(left).toEqual([]);
    },
  );

  it('federation on: nginx-ingress-services gets the CA for other backends, and renders', async () => {
    const ca = '-----BEGIN CERTIFICATE-----\nTEST-FEDERATION-CA\n-----END CERTIFICATE-----\n';
    const federated = production((input) => {
      input.wire = { federation: { enabled: true, clientCA: 'federation-ca.pem' } };
    });
    const services = render(federated, 'nginx-ingress-services', { federationCA: ca });
    expect(at(services.secrets, 'secrets.tlsClientCA')).toBe(ca);
    const manifests = await template('nginx-ingress-services', services.files);
    expect(decoded(named(manifests, 'Secret', 'federator-ca-secret'), 'ca.crt')).toBe(ca);
  });

  it("settings no chart of Wire's reads are not set: galley's RabbitMQ without federation, spar's domain, cannon's nginz key, cargohold's RabbitMQ login", () => {
    const wire = render(production(), 'wire-server');
    expect(at(wire.values, 'galley.config.rabbitmq')).toBeUndefined();
    expect(at(wire.secrets, 'galley.secrets.rabbitmq')).toBeUndefined();
    expect(at(wire.values, 'spar.config.domain')).toBeUndefined();
    expect(at(wire.secrets, 'cannon.secrets.nginz')).toBeUndefined();
    expect(at(wire.secrets, 'cargohold.secrets.rabbitmq')).toBeUndefined();
    // With federation galley does talk to RabbitMQ, and gets both.
    const federated = render(
      production((input) => {
        input.wire = { federation: { enabled: true, clientCA: 'ca.pem' } };
      }),
      'wire-server',
    );
    expect(at(federated.values, 'galley.config.rabbitmq.host')).toBe('rabbitmq-external');
    expect(at(federated.secrets, 'galley.secrets.rabbitmq.username')).toBe(testSecrets().rabbitmq.username);
  });

  it('the chart version decides: the index jobs get PostgreSQL settings from the develop chart on, not with 5.28', () => {
    const older = render(production(), 'wire-server', {}, 'wire-5.28');
    const newer = render(production(), 'wire-server', {}, 'wire-develop');
    expect(at(older.values, 'elasticsearch-index.postgresql')).toBeUndefined();
    expect(at(older.secrets, 'elasticsearch-index.secrets.pgPassword')).toBeUndefined();
    expect(at(newer.values, 'elasticsearch-index.postgresql.host')).toBe('postgresql-external-rw');
    expect(at(newer.secrets, 'elasticsearch-index.secrets.pgPassword')).toBe(
      testSecrets().postgresql.password,
    );
  });
});
