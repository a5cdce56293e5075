import type { Finding } from '../../../core/finding.js';
import type { StepHost } from '../../../engine/types.js';
import { type Inventory, trafficAddress } from '../../../inventory/defaults.js';
import { remoteCheck } from '../../../operations/remote-check.js';
import { runOrFail } from '../../../operations/run.js';
import type { Operation, OperationContext } from '../../../operations/types.js';
import { CLOCK_SKEW_WARN_MS } from '../../../preflight/host-checks.js';
import {
  cassandraHosts,
  JOURNAL_HINT,
  NODETOOL,
  parseDescribeCluster,
  parseNodetoolStatus,
  UNIT,
} from '../../../wire/cassandra.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const cassandraHealthStep = defineStep({
  id: 'databases.cassandra-health',
  stage: 'databases',
  title: 'Check Cassandra: every node UN, one schema version, clock synced',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['cassandra'] },
  order: 'parallel',
  why: 'Schema migrations need every node up and clocks in sync',
  alwaysRun: true,
  operations: (inventory, host) => cassandraHealth(inventory, host),
});

/**
 * This node's clock against the other cassandra nodes' (measured with the host facts): Cassandra
 * orders writes by timestamp, and schema migrations fail with skewed clocks (docs/wire/inventory-and-hardware.md#os-and-network-rules, docs/wire/migrations.md#migration-jobs). A
 * warning from CLOCK_SKEW_WARN_MS; preflight.host-facts makes a large skew an error.
 */
export function clockSkewFindings(inventory: Inventory, host: StepHost): Finding[] {
  const offsets = cassandraHosts(inventory)
    .map((node) => host.allFacts.get(node.name)?.clockOffsetMs)
    .filter((offset): offset is number => offset !== undefined)
    .sort((a, b) => a - b);
  const median = offsets[Math.floor(offsets.length / 2)] ?? host.facts.clockOffsetMs;
  const skew = Math.abs(host.facts.clockOffsetMs - median);
  if (skew < CLOCK_SKEW_WARN_MS) return [];
  return [
    {
      severity: 'warning',
      rule: 'databases.cassandra-clock',
      host: host.name,
      message: `${host.name}'s clock is ${(skew / 1000).toFixed(1)} s off the other Cassandra nodes'`,
      measured: `${skew} ms`,
      required: `within ${CLOCK_SKEW_WARN_MS} ms`,
      fix: `check the time service on ${host.name} (chronyc tracking); wire-install apply --only bootstrap-host.time-sync`,
    },
  ];
}

/** Every cassandra host UN in this node's view of the ring, one schema version, clocks together (docs/wire/health-and-ports.md#health-checks). */
export function cassandraHealth(inventory: Inventory, host: StepHost): Operation[] {
  const expected = cassandraHosts(inventory).map((host) => ({
    name: host.name,
    address: trafficAddress(host),
  }));
  const finding = (context: OperationContext, message: string, measured: string, fix: string): Finding => ({
    severity: 'error',
    rule: 'databases.cassandra-health',
    host: context.host.name,
    message,
    measured,
    fix,
  });
  return [
    remoteCheck('Cassandra ring', async (context) => {
      // A node that does not answer at all fails here (in a plan: a note, as it may not be installed yet).
      const result = await runOrFail(
        context.host,
        'reading the ring (nodetool status)',
        `${NODETOOL} status`,
        {
          next: `start it (systemctl start ${UNIT}) and see why it stopped: ${JOURNAL_HINT}`,
        },
      );
      const ring = parseNodetoolStatus(result.stdout);
      // A member no cassandra host of the inventory has: its token ranges are held by fewer
      // copies than Wire's replication factor says, until it is taken out of the ring.
      const strangers = ring
        .filter((member) => !expected.some(({ address }) => address === member.address))
        .map((member) =>
          finding(
            context,
            `${member.address} is in the ring, but no cassandra host of the inventory has that address`,
            member.line,
            'take it out: wire-install remove-host NAME while the host is still in the inventory, else nodetool removenode HOST-ID (nodetool status shows it) on a node that stays',
          ),
        );
      return strangers.concat(
        expected.flatMap(({ name, address }) => {
          const member = ring.find((candidate) => candidate.address === address);
          if (!member)
            return [
              finding(
                context,
                `${name} (${address}) is not in the ring`,
                ring.map((m) => m.line).join('; ') || 'no node listed',
                `start it: wire-install apply --only databases.cassandra-start; on ${name}: ${JOURNAL_HINT}`,
              ),
            ];
          if (member.status === 'U' && member.state === 'N') return [];
          return [
            finding(
              context,
              `${name} (${address}) is ${member.status}${member.state}, not UN`,
              member.line,
              `on ${name}: systemctl start ${UNIT}; see why: ${JOURNAL_HINT}`,
            ),
          ];
        }),
      );
    }),
    remoteCheck('Cassandra schema', async (context) => {
      const result = await runOrFail(
        context.host,
        'reading the schema versions (nodetool describecluster)',
        `${NODETOOL} describecluster`,
        { next: `start the node and see why it stopped: ${JOURNAL_HINT}` },
      );
      const { versions, unreachable } = parseDescribeCluster(result.stdout);
      if (versions.size === 1 && unreachable.length === 0) return [];
      const measured = [
        ...[...versions].map(([version, addresses]) => `${version}: [${addresses.join(', ')}]`),
        ...(unreachable.length > 0 ? [`UNREACHABLE: [${unreachable.join(', ')}]`] : []),
      ].join('; ');
      return [
        finding(
          context,
          `the nodes do not agree on one schema version (${versions.size} versions, ${unreachable.length} unreachable)`,
          measured || 'no schema version listed',
          'start the unreachable nodes; a node whose schema differs: nodetool resetlocalschema on it (schema migrations need every node and one schema)',
        ),
      ];
    }),
    remoteCheck('Cassandra clock', async () => clockSkewFindings(inventory, host)),
  ];
}
