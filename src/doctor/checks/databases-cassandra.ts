import { hostsWithRole, trafficAddress } from '../../inventory/defaults.js';
import {
  NODETOOL,
  parseDescribeCluster,
  parseNodetoolStatus,
  type RingMember,
  UNIT,
} from '../../wire/cassandra.js';
import { fail, pass } from '../results.js';
import type { DoctorCheck, DoctorResult } from '../types.js';
import {
  commandFailed,
  type DatabaseHost,
  databaseHosts,
  databaseSkipReason,
  runOn,
} from './database-hosts.js';

/**
 * databases.cassandra: every cassandra host UN in the ring and one schema version (docs/wire/health-and-ports.md#health-checks:
 * `nodetool status`, `nodetool describecluster`, read as databases.cassandra-health reads them).
 * The ring is asked on the first node that answers, so a node that is down is named by the
 * others; a split schema breaks the next migration (docs/wire/known-problems.md#cassandra-migrations-fail).
 */
const ID = 'databases.cassandra';
const JOURNAL = `journalctl -u ${UNIT} -n 50; systemctl status ${UNIT}`;

export function ringResults(
  asked: string,
  expected: { name: string; address: string }[],
  ring: RingMember[],
): DoctorResult[] {
  return expected.map(({ name, address }) => {
    const member = ring.find((candidate) => candidate.address === address);
    const evidence = [`nodetool status on ${asked}: ${member?.line ?? `${address} not listed`}`];
    if (member?.status === 'U' && member.state === 'N')
      return pass(ID, `${name} (${address}) is UN in the ring`, { host: name, evidence });
    return fail(
      ID,
      member
        ? `${name} (${address}) is ${member.status}${member.state}, not UN`
        : `${name} (${address}) is not in the ring`,
      `on ${name}: systemctl start ${UNIT}; see why it stopped: ${JOURNAL}`,
      { host: name, evidence },
    );
  });
}

export function schemaResult(asked: string, output: string): DoctorResult {
  const { versions, unreachable } = parseDescribeCluster(output);
  const evidence = [
    ...[...versions].map(([version, addresses]) => `schema ${version}: [${addresses.join(', ')}]`),
    ...(unreachable.length > 0 ? [`UNREACHABLE: [${unreachable.join(', ')}]`] : []),
    `(nodetool describecluster on ${asked})`,
  ];
  if (versions.size === 1 && unreachable.length === 0)
    return pass(ID, 'the nodes agree on one schema version', { evidence });
  return fail(
    ID,
    `the nodes do not agree on one schema version (${versions.size} versions, ${unreachable.length} unreachable)`,
    'start the unreachable nodes; on a node whose schema differs: nodetool resetlocalschema (migrations need every node and one schema)',
    { evidence },
  );
}

export const databasesCassandra: DoctorCheck = {
  id: ID,
  group: 'databases',
  title: 'every Cassandra node UN, one schema version',
  needsHosts: true,
  skipReason: (context) => databaseSkipReason(context, 'cassandra', 'databases.cassandra-start'),
  async run(context) {
    const { connected, results } = databaseHosts(context, ID, 'cassandra');
    // Every node, also those SSH does not reach: the ring is read on another node, which knows
    // whether they are UN or DN (a skip would hide a node that is down).
    const expected = hostsWithRole(context.inventory, 'cassandra').map((host) => ({
      name: host.name,
      address: trafficAddress(host),
    }));
    const failures: DoctorResult[] = [];
    let asked: DatabaseHost | undefined;
    let status = '';
    // The first node whose nodetool answers; one that does not is named with what it printed.
    for (const candidate of connected) {
      try {
        status = await runOn(context, candidate.remote, 'nodetool status', `${NODETOOL} status`);
        asked = candidate;
        break;
      } catch (error) {
        failures.push(
          commandFailed(
            ID,
            candidate.host.name,
            error,
            `on ${candidate.host.name}: systemctl start ${UNIT}; see why it stopped: ${JOURNAL}`,
          ),
        );
      }
    }
    if (!asked) return [...failures, ...results];
    const ring = ringResults(asked.host.name, expected, parseNodetoolStatus(status)).filter(
      // A node already named (its own nodetool failed) is not named twice.
      (result) => !failures.some((f) => f.host === result.host) || result.status === 'pass',
    );
    let schema: DoctorResult;
    try {
      schema = schemaResult(
        asked.host.name,
        await runOn(context, asked.remote, 'nodetool describecluster', `${NODETOOL} describecluster`),
      );
    } catch (error) {
      schema = commandFailed(ID, asked.host.name, error, JOURNAL);
    }
    const named = new Set(ring.map((result) => result.host));
    return [...failures, ...ring, schema, ...results.filter((result) => !named.has(result.host))];
  },
};
