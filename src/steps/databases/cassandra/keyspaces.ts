import { WireInstallError } from '../../../core/errors.js';
import { shellQuote } from '../../../hosts/become.js';
import { type Inventory, trafficAddress } from '../../../inventory/defaults.js';
import { runOrFail } from '../../../operations/run.js';
import type { Operation, OperationContext } from '../../../operations/types.js';
import {
  CQL_PORT,
  CQLSH,
  cassandraSeed,
  createKeyspace,
  JOURNAL_HINT,
  KEYSPACES,
  NODETOOL,
  parseKeyspaces,
  REPLICATION_FACTOR,
} from '../../../wire/cassandra.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const cassandraKeyspacesStep = defineStep({
  id: 'databases.cassandra-keyspaces',
  stage: 'databases',
  title: 'Create the keyspaces brig, galley, gundeck and spar',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['cassandra'] },
  order: 'first-host-only',
  why: "wire-server's schema migrations run against these keyspaces",
  operations: (inventory) => [cassandraKeyspaces(inventory)],
});

const cqlsh = (address: string, statements: string) =>
  `${CQLSH} ${shellQuote(address)} ${CQL_PORT} -e ${shellQuote(statements)}`;

/** Wire's keyspaces missing on the cluster, asked through the seed's CQL port. */
export function cassandraKeyspaces(inventory: Inventory): Operation {
  const seed = cassandraSeed(inventory);
  const address = seed ? trafficAddress(seed) : '127.0.0.1';
  const look = async (context: OperationContext) => {
    const listed = await runOrFail(
      context.host,
      'listing the keyspaces',
      cqlsh(address, 'SELECT keyspace_name, replication FROM system_schema.keyspaces;'),
      { next: `is Cassandra up? ${NODETOOL} status; ${JOURNAL_HINT}` },
    );
    const found = parseKeyspaces(listed.stdout);
    const missing = KEYSPACES.filter((name) => !found.some((keyspace) => keyspace.name === name));
    // CREATE ... IF NOT EXISTS never changes an existing keyspace: another factor is said, not changed.
    const notes = found
      .filter((keyspace) => (KEYSPACES as readonly string[]).includes(keyspace.name))
      .filter((keyspace) => keyspace.replicationFactor !== REPLICATION_FACTOR)
      .map(
        (keyspace) =>
          `keyspace ${keyspace.name} has replication factor ${keyspace.replicationFactor ?? '(none)'}, Wire's is ${REPLICATION_FACTOR}; change it by hand: ALTER KEYSPACE ${keyspace.name} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${REPLICATION_FACTOR}}; then nodetool repair`,
      );
    return { missing, notes };
  };
  const describe = (missing: readonly string[]) =>
    missing.map(
      (name) => `create keyspace ${name} (SimpleStrategy, replication factor ${REPLICATION_FACTOR})`,
    );
  return {
    kind: 'cassandra-keyspaces',
    target: KEYSPACES.join(', '),
    inputs: { keyspaces: KEYSPACES, replicationFactor: REPLICATION_FACTOR, address },
    async check(context) {
      try {
        const { missing, notes } = await look(context);
        return { changes: describe(missing), notes };
      } catch (error) {
        // In a plan Cassandra may not run yet: every keyspace is due, the reason a note.
        const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
        return { changes: describe(KEYSPACES), notes: [`cannot list the keyspaces yet: ${reason}`] };
      }
    },
    async apply(context) {
      const { missing, notes } = await look(context);
      if (missing.length === 0) return { changes: [], notes };
      await runOrFail(
        context.host,
        `creating the keyspaces ${missing.join(', ')}`,
        cqlsh(address, missing.map(createKeyspace).join('\n')),
      );
      const after = await look(context);
      if (after.missing.length > 0)
        throw new WireInstallError({
          what: `${context.host.name}: cqlsh created the keyspaces, but ${after.missing.join(', ')} still missing`,
          host: context.host.name,
          next: `look at the schema: ${NODETOOL} describecluster; ${JOURNAL_HINT}`,
        });
      return { changes: describe(missing), notes };
    },
  };
}
