import type { HostFacts } from '../hosts/facts.js';
import { type Host, hostsWithRole, type Inventory, trafficAddress } from '../inventory/defaults.js';
import { renderTemplateFile } from '../templates/load.js';

/**
 * Cassandra as Wire runs it on the cassandra hosts, what apply's steps, doctor and upgrade share.
 * What Cassandra's configuration says on each node, decided here and laid out by
 * templates/cassandra/ (docs/wire/install-sequences.md#cassandra-install, docs/wire/inventory-and-hardware.md#inventory, docs/wire/health-and-ports.md#ports-and-firewall). Wire installs Cassandra 3.11.19 from
 * the bundle's tarball into a versioned directory under /opt (ansible-cassandra's
 * cassandra_install_dir), so an upgrade unpacks beside the running version.
 */
export const CASSANDRA_VERSION = '3.11.19';
export const INSTALL_DIR = `/opt/apache-cassandra-${CASSANDRA_VERSION}`;
export const CONF_DIR = `${INSTALL_DIR}/conf`;
export const CASSANDRA_YAML = `${CONF_DIR}/cassandra.yaml`;
export const RACKDC = `${CONF_DIR}/cassandra-rackdc.properties`;
export const ENV_FILE = '/etc/default/cassandra';
export const UNIT = 'cassandra.service';
export const UNIT_FILE = `/etc/systemd/system/${UNIT}`;
export const NODETOOL = `${INSTALL_DIR}/bin/nodetool`;
export const CQLSH = `${INSTALL_DIR}/bin/cqlsh`;
/** Where to look when a node does not come up: the unit's journal and status. */
export const JOURNAL_HINT = `journalctl -u ${UNIT} -n 50; systemctl status ${UNIT}`;

/** Wire's data disk: /mnt/cassandra with data, commitlog, saved_caches and hints (ansible-cassandra; docs/wire/upgrades.md#back-up-first). */
export const DATA_ROOT = '/mnt/cassandra';
export const DATA_DIRS = {
  dataDir: `${DATA_ROOT}/data`,
  commitlogDir: `${DATA_ROOT}/commitlog`,
  savedCachesDir: `${DATA_ROOT}/saved_caches`,
  hintsDir: `${DATA_ROOT}/hints`,
} as const;

/** Gossip and CQL (docs/wire/health-and-ports.md#ports-and-firewall: 7000 between the nodes, 9042 from Kubernetes). */
export const STORAGE_PORT = 7000;
export const CQL_PORT = 9042;

/**
 * Wire's cluster name: ansible-cassandra's cassandra_cluster_name default, which Wire's inventory
 * keeps (its db-operations playbooks name it too). See docs/wire/deployment-sources.md#cassandra.
 */
export const DEFAULT_CLUSTER_NAME = 'default';
/**
 * Deliberately not Wire's snitch: ansible-cassandra sets SimpleSnitch (Ec2Snitch on AWS). Both
 * put every node in one data centre and rack, and Wire's keyspaces use SimpleStrategy, so
 * replication and wire-server see no difference. GossipingPropertyFileSnitch names the data
 * centre, which adding a second one needs (Wire's K8ssandra migration,
 * db-operations/cassandra_alter_keyspace_replication.yml); leaving SimpleSnitch later takes a
 * restart of every node. dc1 and rack1 are the names of Cassandra's own
 * cassandra-rackdc.properties; Cassandra refuses to start a node whose data centre changed, so
 * they stay. See docs/wire/deployment-sources.md#cassandra.
 */
export const SNITCH = 'GossipingPropertyFileSnitch';
export const DATA_CENTRE = 'dc1';
export const RACK = 'rack1';

/** Wire's keyspaces (cassandra.yml cassandra_keyspaces) and their replication (docs/wire/charts-values-secrets.md#values: RF 3 in production). */
export const KEYSPACES = ['brig', 'galley', 'gundeck', 'spar'] as const;
export const REPLICATION_FACTOR = 3;

export const cassandraHosts = (inventory: Inventory): Host[] => hostsWithRole(inventory, 'cassandra');

/** Wire's [cassandra_seed]: the first cassandra host (docs/wire/inventory-and-hardware.md#inventory-groups). */
export function cassandraSeed(inventory: Inventory): Host | undefined {
  return cassandraHosts(inventory)[0];
}

export function clusterName(_inventory: Inventory): string {
  return DEFAULT_CLUSTER_NAME;
}

export function cassandraHost(inventory: Inventory, name: string): Host {
  const host = cassandraHosts(inventory).find((candidate) => candidate.name === name);
  if (!host) throw new Error(`engine: ${name} is not a cassandra host`);
  return host;
}

export function cassandraYaml(inventory: Inventory, host: Host): string {
  const seed = cassandraSeed(inventory);
  const address = trafficAddress(host);
  return renderTemplateFile('cassandra/cassandra.yaml', {
    clusterName: clusterName(inventory),
    seeds: seed ? trafficAddress(seed) : address,
    listenAddress: address,
    rpcAddress: address,
    storagePort: STORAGE_PORT,
    nativeTransportPort: CQL_PORT,
    snitch: SNITCH,
    ...DATA_DIRS,
  });
}

export function cassandraRackdc(): string {
  return renderTemplateFile('cassandra/cassandra-rackdc.properties', { dc: DATA_CENTRE, rack: RACK });
}

/**
 * cassandra-env.sh's own rule (calculate_heap_sizes): max(min(RAM/2, 1 GiB), min(RAM/4, 8 GiB)),
 * the new generation min(100 MiB per CPU, heap/4). On Wire's 4 GiB Cassandra VM (docs/wire/inventory-and-hardware.md#sizing-in-the-published-docs)
 * that is 1024M and 200M.
 */
export function heapSizes(memoryGiB: number, cpus: number): { maxHeapMiB: number; newHeapMiB: number } {
  const ramMiB = Math.floor(memoryGiB * 1024);
  const maxHeapMiB = Math.max(Math.min(ramMiB / 2, 1024), Math.min(ramMiB / 4, 8192));
  const newHeapMiB = Math.min(100 * Math.max(cpus, 1), maxHeapMiB / 4);
  return { maxHeapMiB: Math.floor(maxHeapMiB), newHeapMiB: Math.floor(newHeapMiB) };
}

export function cassandraEnv(facts: Pick<HostFacts, 'memoryGiB' | 'cpus'>): string {
  const { maxHeapMiB, newHeapMiB } = heapSizes(facts.memoryGiB, facts.cpus);
  return renderTemplateFile('cassandra/cassandra.env', {
    maxHeap: `${maxHeapMiB}M`,
    newHeap: `${newHeapMiB}M`,
    heapBasis: `${facts.memoryGiB} GiB, ${facts.cpus} CPUs`,
    confDir: CONF_DIR,
  });
}

export function cassandraUnit(): string {
  return renderTemplateFile('cassandra/cassandra.service', {
    version: CASSANDRA_VERSION,
    envFile: ENV_FILE,
    installDir: INSTALL_DIR,
  });
}

/** The CQL statement for one of Wire's keyspaces (SimpleStrategy, as wire-server's schema tools create them). */
export function createKeyspace(name: string): string {
  return `CREATE KEYSPACE IF NOT EXISTS ${name} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${REPLICATION_FACTOR}};`;
}

/**
 * What `nodetool status`, `nodetool describecluster` and cqlsh's keyspace listing print, read
 * into data (docs/wire/health-and-ports.md#health-checks: every node UN, one schema version). Only the lines these checks need;
 * anything else in the output is ignored.
 */
export interface RingMember {
  /** U(p) or D(own). */
  status: 'U' | 'D';
  /** N(ormal), L(eaving), J(oining), M(oving). */
  state: 'N' | 'L' | 'J' | 'M';
  address: string;
  /** The line as nodetool printed it, for evidence. */
  line: string;
}

/** `UN  10.0.0.1  1.2 MiB  256  100.0%  <host id>  rack1` lines. */
export function parseNodetoolStatus(output: string): RingMember[] {
  const members: RingMember[] = [];
  for (const line of output.split('\n')) {
    const match = /^([UD])([NLJM])\s+(\S+)\s/.exec(line);
    if (match)
      members.push({
        status: match[1] as RingMember['status'],
        state: match[2] as RingMember['state'],
        address: match[3] ?? '',
        line: line.trim().replace(/\s+/g, ' '),
      });
  }
  return members;
}

export interface SchemaVersions {
  /** Schema version -> the addresses that report it. */
  versions: Map<string, string[]>;
  unreachable: string[];
}

const addressList = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** The "Schema versions:" block of `nodetool describecluster`. */
export function parseDescribeCluster(output: string): SchemaVersions {
  const versions = new Map<string, string[]>();
  let unreachable: string[] = [];
  for (const line of output.split('\n')) {
    const down = /^\s*UNREACHABLE:\s*\[(.*)\]/.exec(line);
    if (down) {
      unreachable = addressList(down[1] ?? '');
      continue;
    }
    const version = /^\s*([0-9a-f]{8}-[0-9a-f-]{27}):\s*\[(.*)\]/.exec(line);
    if (version?.[1]) versions.set(version[1], addressList(version[2] ?? ''));
  }
  return { versions, unreachable };
}

export interface KeyspaceInfo {
  name: string;
  /** replication_factor from the replication map; undefined for strategies without one. */
  replicationFactor: number | undefined;
}

/** Rows of `SELECT keyspace_name, replication FROM system_schema.keyspaces` as cqlsh prints them. */
export function parseKeyspaces(output: string): KeyspaceInfo[] {
  const keyspaces: KeyspaceInfo[] = [];
  for (const line of output.split('\n')) {
    const bar = line.indexOf('|');
    if (bar < 0) continue;
    const name = line.slice(0, bar).trim();
    if (!/^\w+$/.test(name) || name === 'keyspace_name') continue;
    const factor = /'replication_factor':\s*'(\d+)'/.exec(line.slice(bar));
    keyspaces.push({ name, replicationFactor: factor?.[1] ? Number(factor[1]) : undefined });
  }
  return keyspaces;
}
