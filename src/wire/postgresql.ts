import { hostsWithRole, type Inventory, trafficAddress } from '../inventory/defaults.js';
import { renderTemplateFile } from '../templates/load.js';

/**
 * PostgreSQL on the postgresql hosts: the first listed is the primary, the others stream from
 * it (Wire's postgresql-deploy.yml, docs/wire/install-sequences.md#postgresql-install; [postgresql_rw] and [postgresql_ro]).
 * Wire runs repmgr for failover; this version sets up streaming replication itself and does not
 * install repmgr (no automatic failover yet). Here: what apply's steps, doctor and upgrade share
 * (the hosts, the roles and database, pg_hba.conf's lines, the replication query).
 */
export const WIRE_DATABASE = 'wire-server';
export const WIRE_USER = 'wire-server';
export const REPLICATION_USER = 'replicator';

export const postgresHosts = (inventory: Inventory) => hostsWithRole(inventory, 'postgresql');

export function postgresConfig(role: string): string {
  return renderTemplateFile('postgresql/wire-install.conf', { role });
}

/** Replication from the other postgresql hosts; wire-server from every host (pods leave through their node) and the pod network. */
const cidr = (ip: string) => (ip.includes(':') ? `${ip}/128` : `${ip}/32`);

/** The pg_hba.conf line that lets a standby at `ip` replicate from the primary. */
export const replicationLine = (ip: string) =>
  `host replication ${REPLICATION_USER} ${cidr(ip)} scram-sha-256`;

export function pgHbaLines(inventory: Inventory): string[] {
  const pg = postgresHosts(inventory).map((host) => trafficAddress(host));
  const all = inventory.hosts.map((host) => trafficAddress(host));
  return [
    ...pg.map(replicationLine),
    ...all.map((ip) => `host ${WIRE_DATABASE} ${WIRE_USER} ${cidr(ip)} scram-sha-256`),
    `host ${WIRE_DATABASE} ${WIRE_USER} ${inventory.kubernetes.podCidr} scram-sha-256`,
  ];
}

/** On the primary: one line "<client address> <state>" per standby connected (doctor reads it too). */
export const REPLICATION_QUERY = `runuser -u postgres -- psql -X -At -c "SELECT host(client_addr) || ' ' || state FROM pg_stat_replication"`;
