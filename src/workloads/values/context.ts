import { type Host, hostsWithRole, type Inventory, trafficAddress } from '../../inventory/defaults.js';
import type { Role } from '../../inventory/roles.js';
import type { WireSecrets } from '../../secrets/generate.js';
import type { BundleVersions } from './chart-versions.js';
import type { Tree } from './tree.js';

/**
 * What every chart's overlay reads: the inventory, secrets.yaml, the bundle's example values
 * for the chart (parsed), and the names Wire serves under the domain (docs/wire/dns-and-certificates.md#required-dns-names).
 */
export interface ValuesContext {
  inventory: Inventory;
  secrets: WireSecrets;
  /** The bundle's example values of this chart for the mode, parsed; {} when the bundle has none. */
  example: Tree;
  /** The bundle's example secrets of this chart for the mode (the shape of what it needs); {} when none. */
  exampleSecrets: Tree;
  /** The ingress certificate (PEM) for bring-your-own and self-signed, when it can be read. */
  certificate: { chain: string; key: string } | undefined;
  /** The CA certificates (PEM) other backends' federation clients are checked against, with federation on. */
  federationCA: string | undefined;
  /** The chart versions the values are for (the bundle's Chart.yaml files). */
  versions: BundleVersions;
}

/** The two trees one chart gets: values (may be shown, kept, diffed) and secrets (never shown). */
export interface ChartOverlay {
  values: Tree;
  secrets: Tree | undefined;
}

export type ChartRenderer = (context: ValuesContext) => ChartOverlay;

/** https URLs of Wire's names under the domain (docs/wire/dns-and-certificates.md#required-dns-names), as the charts expect them. */
export function wireUrls(domain: string) {
  const https = (label: string) => `https://${label}.${domain}`;
  return {
    nginz: https('nginz-https'),
    websocket: https('nginz-ssl'),
    webapp: https('webapp'),
    assets: https('assets'),
    account: https('account'),
    teams: https('teams'),
    sftd: https('sftd'),
    federator: https('federator'),
  };
}

/** Which in-cluster service names Wire's services talk to: the *-external charts in production, the in-cluster ones in a demo (docs/wire/charts-values-secrets.md#install-order). */
export function serviceHosts(inventory: Inventory) {
  const production = inventory.mode === 'production';
  return {
    cassandra: production ? 'cassandra-external' : 'cassandra-ephemeral',
    elasticsearch: production ? 'elasticsearch-external' : 'elasticsearch-ephemeral',
    rabbitmq: production ? 'rabbitmq-external' : 'rabbitmq',
    postgresql: production ? 'postgresql-external-rw' : 'postgresql',
    s3: production ? 'http://minio-external:9000' : 'http://fake-aws-s3:9000',
    s3Service: production ? 'minio-external' : 'fake-aws-s3',
  };
}

/** The addresses Wire's services reach a database role at: each host's traffic address (private address first). */
export function roleAddresses(inventory: Inventory, role: Role): string[] {
  return hostsWithRole(inventory, role).map(trafficAddress);
}

/** The address clients reach a calling host at: its external IP behind 1:1 NAT, else its address. */
export function publicAddress(host: Host): string {
  return host.externalIp ?? host.address;
}
