import type { ChartOverlay, ChartRenderer, ValuesContext } from './context.js';
import { roleAddresses } from './context.js';
import { removed } from './tree.js';

/**
 * The charts around the databases (docs/wire/charts-values-secrets.md#other-charts-values): the production *-external
 * charts point Services at the database VMs (helm_external.yml writes `IPs:`), the demo's
 * in-cluster databases take their credentials from secrets.yaml.
 */

const valuesOnly = (values: ChartOverlay['values']): ChartOverlay => ({ values, secrets: undefined });

/** `IPs:` of cassandra-, elasticsearch-, minio- and rabbitmq-external: the hosts of that role. */
export function externalIps(role: 'cassandra' | 'elasticsearch' | 'minio' | 'rabbitmq'): ChartRenderer {
  return ({ inventory }) => valuesOnly({ IPs: roleAddresses(inventory, role) });
}

/** postgresql-external: the primary (the first postgresql host, as the postgresql steps make it) is read-write, the standbys read-only. */
export function postgresqlExternal({ inventory }: ValuesContext): ChartOverlay {
  const [primary, ...standbys] = roleAddresses(inventory, 'postgresql');
  return valuesOnly({ RWIPs: primary ? [primary] : [], ROIPs: standbys });
}

/**
 * Production uses only redis-ephemeral; the demo runs Cassandra and Elasticsearch in memory too
 * (docs/wire/charts-values-secrets.md#values). The demo's Elasticsearch runs with security on: its `elastic` password is
 * secrets.yaml's (the chart's default is `changeme`), and brig and the index jobs log in with it.
 */
export function databasesEphemeral({ inventory, secrets }: ValuesContext): ChartOverlay {
  const demo = inventory.mode === 'demo';
  return {
    values: { tags: { 'cassandra-ephemeral': demo, 'elasticsearch-ephemeral': demo } },
    secrets: demo
      ? { 'elasticsearch-ephemeral': { secrets: { password: secrets.elasticsearch.password } } }
      : undefined,
  };
}

/** fake-aws: production stores assets in MinIO, the demo in fake-aws-s3 with MinIO's cargohold user (docs/wire/charts-values-secrets.md#values, #secrets). */
export function fakeAws({ inventory, secrets }: ValuesContext): ChartOverlay {
  const demo = inventory.mode === 'demo';
  return {
    values: { 'fake-aws-s3': { enabled: demo } },
    secrets: demo
      ? {
          'fake-aws-s3': {
            minio: {
              users: [
                {
                  accessKey: secrets.minio.cargoholdAccessKey,
                  secretKey: secrets.minio.cargoholdSecretKey,
                  policy: 'consoleAdmin',
                },
              ],
            },
          },
        }
      : undefined,
  };
}

/** The in-cluster mail relay must accept mail from the pod network (docs/wire/install-sequences.md#helm-install, docs/wire/charts-values-secrets.md#values). */
export function smtp({ inventory }: ValuesContext): ChartOverlay {
  return valuesOnly({
    smtp: {
      service: { type: 'ClusterIP', port: 25 },
      config: { RELAY_NETWORKS: `:${inventory.kubernetes.podCidr}` },
    },
  });
}

/** The demo's in-cluster RabbitMQ with the user from secrets.yaml, never guest (docs/wire/charts-values-secrets.md#secrets, docs/wire/known-problems.md#default-credentials-and-ip-lookup). */
export function rabbitmq({ secrets }: ValuesContext): ChartOverlay {
  return {
    values: {},
    secrets: {
      rabbitmq: { auth: { username: secrets.rabbitmq.username, password: secrets.rabbitmq.password } },
    },
  };
}

/**
 * The demo's in-cluster PostgreSQL: Wire's wrapper of bitnami's chart takes bitnami's values
 * under `postgresql:` (wire-server-deploy values/postgresql/demo-*.example.yaml). User and
 * database wire-server, the password from secrets.yaml. Wire's example names an existing
 * Secret instead (`existingSecret`), with which bitnami ignores the password given here and
 * wire-server-deploy copies the generated one into wire-server's secrets afterwards; without it
 * bitnami makes its Secret from this password, the one wire-server gets.
 */
export function postgresql({ secrets }: ValuesContext): ChartOverlay {
  return {
    values: { postgresql: { auth: { username: 'wire-server', database: 'wire-server' } } },
    secrets: {
      postgresql: {
        auth: {
          password: secrets.postgresql.password,
          postgresPassword: secrets.postgresql.password,
          existingSecret: removed('the password comes from secrets.yaml, not from a Secret made elsewhere'),
        },
      },
    },
  };
}

/** cert-manager installs its CRDs itself (docs/wire/dns-and-certificates.md#certificates: `cert-manager.crds.enabled: true`). */
export function certManager(): ChartOverlay {
  return valuesOnly({ 'cert-manager': { crds: { enabled: true } } });
}
