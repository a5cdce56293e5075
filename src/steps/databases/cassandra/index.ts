import { cassandraHealthStep } from './health.js';
import { cassandraInstallStep } from './install.js';
import { cassandraKeyspacesStep } from './keyspaces.js';
import { cassandraStartStep } from './start.js';

/**
 * Cassandra 3.11 on its own VMs (Wire's cassandra.yml, docs/wire/install-sequences.md#cassandra-install). The first listed host is the seed.
 *
 * Cassandra 3.11.19 on the cassandra hosts, Wire's cassandra.yml (docs/wire/install-sequences.md#cassandra-install): OpenJDK 8
 * from the bundle's apt repository, the tarball from the bundle unpacked into a versioned
 * directory, configuration from templates/cassandra/ (src/wire/cassandra.ts), then the nodes
 * started the seed first and one at a time, each waited for until it is UN in the ring, the
 * keyspaces brig, galley, gundeck and spar, and a health check (docs/wire/health-and-ports.md#health-checks).
 */
export const cassandraSteps = [
  cassandraInstallStep,
  cassandraStartStep,
  cassandraKeyspacesStep,
  cassandraHealthStep,
] as const;
