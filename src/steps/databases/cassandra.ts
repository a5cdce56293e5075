import { PRODUCTION_ONLY, type StepDefinition } from '../types.js';

/** Cassandra 3.11 on its own VMs (Wire's cassandra.yml, docs/wire/install-sequences.md#cassandra-install). The first listed host is the seed. */
export const cassandraSteps: readonly StepDefinition[] = [
  {
    id: 'databases.cassandra-install',
    stage: 'databases',
    title: 'Install Cassandra 3.11.19 and OpenJDK 8; write cassandra.yaml',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['cassandra'] },
    order: 'parallel',
    why: "Wire's cassandra.yml installs 3.11.19 from the bundle's binaries on OpenJDK 8",
  },
  {
    id: 'databases.cassandra-start',
    stage: 'databases',
    title: 'Start Cassandra: the seed first, then one node at a time',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['cassandra'] },
    order: 'serial',
    why: "Nodes bootstrap into the ring one by one from the seed (Wire's [cassandra_seed] group)",
  },
  {
    id: 'databases.cassandra-keyspaces',
    stage: 'databases',
    title: 'Create the keyspaces brig, galley, gundeck and spar',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['cassandra'] },
    order: 'first-host-only',
    why: "wire-server's schema migrations run against these keyspaces",
  },
  {
    id: 'databases.cassandra-health',
    stage: 'databases',
    title: 'Check Cassandra: every node UN, one schema version, clock synced',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['cassandra'] },
    order: 'parallel',
    why: 'Schema migrations need every node up and clocks in sync',
  },
];
