import { describe, expect, it } from 'vitest';
import { cassandraStartStep } from '../../../src/steps/databases/cassandra/start.js';
import {
  cassandraHost,
  cassandraYaml,
  createKeyspace,
  REPLICATION_FACTOR,
} from '../../../src/wire/cassandra.js';
import { production } from '../../support/inventories.js';

/**
 * A Cassandra node added to a running ring (issue 17). A node bootstraps (streams its share of
 * the data from the others) only when it is not one of its own seeds and auto_bootstrap is not
 * off (https://cassandra.apache.org/doc/3.11/cassandra/operating/topo_changes.html); the start
 * step takes the nodes one at a time, each waited for until UN; the keyspaces keep their
 * replication factor whatever the number of nodes. What the lab cannot show with its stand-in
 * Cassandra (no real bootstrap), checked here on what apply writes.
 */
const grown = production((input) => {
  input.hosts.push({ name: 'datanode4', address: '192.168.122.34', roles: ['cassandra'] });
});

describe('a fourth Cassandra node', () => {
  it('has the first cassandra host as its seed, not itself, and auto_bootstrap left on: it bootstraps', () => {
    const yaml = cassandraYaml(grown, cassandraHost(grown, 'datanode4'));
    expect(yaml).toMatch(/^\s+- seeds: "192\.168\.122\.31"$/m);
    expect(yaml).not.toMatch(/^auto_bootstrap:\s*false/m);
  });

  it('starts after the others, one node at a time', () => {
    expect(cassandraStartStep.order).toBe('serial');
    const order = grown.hosts.filter((host) => host.roles.includes('cassandra')).map((host) => host.name);
    expect(order.at(-1)).toBe('datanode4');
  });

  it('leaves the keyspaces at replication factor 3 with four nodes', () => {
    expect(REPLICATION_FACTOR).toBe(3);
    expect(createKeyspace('brig')).toContain("'replication_factor': 3");
  });
});
