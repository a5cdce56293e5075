import type { ChartOverlay, ChartRenderer, ValuesContext } from './context.js';
import { roleAddresses } from './context.js';

/**
 * The charts around the databases (FACTS 5.3 "Other charts"): the production *-external
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

/** Production uses only redis-ephemeral; the demo runs Cassandra and Elasticsearch in memory too (FACTS 5.3). */
export function databasesEphemeral({ inventory }: ValuesContext): ChartOverlay {
  const demo = inventory.mode === 'demo';
  return valuesOnly({ tags: { 'cassandra-ephemeral': demo, 'elasticsearch-ephemeral': demo } });
}

/** fake-aws: production stores assets in MinIO, the demo in fake-aws-s3 with MinIO's cargohold user (FACTS 5.3, 5.4). */
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

/** The in-cluster mail relay must accept mail from the pod network (FACTS 1c step 8, 5.3). */
export function smtp({ inventory }: ValuesContext): ChartOverlay {
  return valuesOnly({
    smtp: {
      service: { type: 'ClusterIP', port: 25 },
      config: { RELAY_NETWORKS: `:${inventory.kubernetes.podCidr}` },
    },
  });
}

/** The demo's in-cluster RabbitMQ with the user from secrets.yaml, never guest (FACTS 5.4, 11.4). */
export function rabbitmq({ secrets }: ValuesContext): ChartOverlay {
  return {
    values: {},
    secrets: {
      rabbitmq: { auth: { username: secrets.rabbitmq.username, password: secrets.rabbitmq.password } },
    },
  };
}

/** The demo's in-cluster PostgreSQL (bitnami): user and database wire-server, its password from secrets.yaml (FACTS 5.4). */
export function postgresql({ secrets }: ValuesContext): ChartOverlay {
  return {
    values: { auth: { username: 'wire-server', database: 'wire-server' } },
    secrets: {
      auth: { password: secrets.postgresql.password, postgresPassword: secrets.postgresql.password },
    },
  };
}

/** cert-manager installs its CRDs itself (FACTS 4.2: `cert-manager.crds.enabled: true`). */
export function certManager(): ChartOverlay {
  return valuesOnly({ 'cert-manager': { crds: { enabled: true } } });
}
