import { hostsWithRole, type Inventory, trafficAddress } from '../../inventory/defaults.js';
import { aptPackageOperation } from '../../operations/apt.js';
import { fileOperation } from '../../operations/file.js';
import {
  clusterPaths,
  postgresClusterOperation,
  postgresVersion,
} from '../../operations/postgresql-cluster.js';
import { postgresRoleOperation } from '../../operations/postgresql-role.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { runOrFail } from '../../operations/run.js';
import type { Operation, OperationContext } from '../../operations/types.js';
import type { WireSecrets } from '../../secrets/generate.js';
import { renderTemplateFile } from '../../templates/load.js';

/**
 * PostgreSQL on the postgresql hosts: the first listed is the primary, the others stream from
 * it (Wire's postgresql-deploy.yml, docs/wire/install-sequences.md#postgresql-install; [postgresql_rw] and [postgresql_ro]).
 * Wire runs repmgr for failover; this version sets up streaming replication itself and does not
 * install repmgr (no automatic failover yet).
 */
export const WIRE_DATABASE = 'wire-server';
export const WIRE_USER = 'wire-server';
export const REPLICATION_USER = 'replicator';

const postgresHosts = (inventory: Inventory) => hostsWithRole(inventory, 'postgresql');

export function postgresConfig(role: string): string {
  return renderTemplateFile('postgresql/wire-install.conf', { role });
}

/** Replication from the other postgresql hosts; wire-server from every host (pods leave through their node) and the pod network. */
export function pgHbaLines(inventory: Inventory): string[] {
  const pg = postgresHosts(inventory).map((host) => trafficAddress(host));
  const all = inventory.hosts.map((host) => trafficAddress(host));
  const cidr = (ip: string) => (ip.includes(':') ? `${ip}/128` : `${ip}/32`);
  return [
    ...pg.map((ip) => `host replication ${REPLICATION_USER} ${cidr(ip)} scram-sha-256`),
    ...all.map((ip) => `host ${WIRE_DATABASE} ${WIRE_USER} ${cidr(ip)} scram-sha-256`),
    `host ${WIRE_DATABASE} ${WIRE_USER} ${inventory.kubernetes.podCidr} scram-sha-256`,
  ];
}

export function postgresPrimary(inventory: Inventory, secrets: WireSecrets): Operation[] {
  return [
    aptPackageOperation({ name: 'postgresql' }),
    postgresClusterOperation({ config: postgresConfig('the primary'), hba: pgHbaLines(inventory) }),
    postgresRoleOperation({
      name: REPLICATION_USER,
      password: secrets.postgresql.password,
      attributes: ['LOGIN', 'REPLICATION'],
    }),
    postgresRoleOperation({
      name: WIRE_USER,
      password: secrets.postgresql.password,
      attributes: ['LOGIN'],
      database: WIRE_DATABASE,
    }),
  ];
}

/** A standby: cloned from the primary once (pg_basebackup -R), then streaming. */
function cloneOperation(primary: string): Operation {
  const cloned = async (context: OperationContext) => {
    const version = await postgresVersion(context);
    if (!version) return false;
    return (await context.host.exec(`test -f ${clusterPaths(version).data}/standby.signal`)).exitCode === 0;
  };
  const change = `clone the data from ${primary} (pg_basebackup) and follow it`;
  return {
    kind: 'postgresql-standby',
    target: primary,
    inputs: { primary },
    async check(context) {
      return { changes: (await cloned(context)) ? [] : [change], notes: [] };
    },
    async apply(context) {
      if (await cloned(context)) return { changes: [], notes: [] };
      const version = await postgresVersion(context);
      if (!version) throw new Error(`${context.host.name}: PostgreSQL is not installed`);
      const { data, unit } = clusterPaths(version);
      // The password comes from ~postgres/.pgpass (written before, mode 0600), not the command line.
      await runOrFail(
        context.host,
        `cloning the standby from ${primary}`,
        [
          `systemctl stop ${unit}`,
          `rm -rf ${data}`,
          `runuser -u postgres -- pg_basebackup -h ${primary} -U ${REPLICATION_USER} -D ${data} -R -X stream -c fast -w`,
          `chmod 700 ${data}`,
        ].join(' && '),
        {
          next: `check that ${primary} accepts replication from this host (pg_hba.conf) and the password in secrets.yaml`,
        },
      );
      return { changes: [change], notes: [] };
    },
  };
}

export function postgresStandby(inventory: Inventory, secrets: WireSecrets): Operation[] {
  const [primaryHost] = postgresHosts(inventory);
  const primary = primaryHost ? trafficAddress(primaryHost) : '';
  return [
    aptPackageOperation({ name: 'postgresql' }),
    fileOperation({
      path: '/var/lib/postgresql/.pgpass',
      content: `${primary}:5432:replication:${REPLICATION_USER}:${secrets.postgresql.password}\n`,
      mode: 0o600,
      owner: 'postgres',
      group: 'postgres',
    }),
    cloneOperation(primary),
    postgresClusterOperation({
      config: postgresConfig('a standby of the primary'),
      hba: pgHbaLines(inventory),
    }),
  ];
}

/** On the primary: one line "<client address> <state>" per standby connected (doctor reads it too). */
export const REPLICATION_QUERY = `runuser -u postgres -- psql -X -At -c "SELECT host(client_addr) || ' ' || state FROM pg_stat_replication"`;

/** On the primary: every standby streaming (pg_stat_replication, docs/wire/health-and-ports.md#health-checks). */
export function postgresHealth(inventory: Inventory): Operation[] {
  const standbys = postgresHosts(inventory)
    .slice(1)
    .map((host) => ({ name: host.name, ip: trafficAddress(host) }));
  return [
    remoteCheck('PostgreSQL replication', async (context) => {
      const result = await runOrFail(context.host, 'reading pg_stat_replication', REPLICATION_QUERY);
      const streaming = new Set(
        result.stdout
          .split('\n')
          .filter((line) => line.endsWith(' streaming'))
          .map((line) => line.split(' ')[0]),
      );
      const missing = standbys.filter((standby) => !streaming.has(standby.ip));
      if (missing.length === 0) return [];
      return [
        {
          severity: 'error',
          rule: 'databases.postgresql-replication',
          host: context.host.name,
          message: `standbys not streaming from the primary: ${missing.map((s) => `${s.name} (${s.ip})`).join(', ')}`,
          measured: result.stdout.trim().replace(/\n/g, '; ') || 'no replication connections',
          required: standbys.map((s) => `${s.ip} streaming`).join(', '),
          fix: 'on the standby: journalctl -u postgresql@*-main; check pg_hba.conf on the primary and the replication password',
        },
      ];
    }),
  ];
}
