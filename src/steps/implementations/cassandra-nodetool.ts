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
