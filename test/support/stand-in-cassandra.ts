import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASSANDRA_VERSION } from '../../src/wire/cassandra.js';

/**
 * LAB STAND-IN for Wire's Cassandra tarball (apache-cassandra-3.11.19-bin.tar.gz in the bundle's
 * binaries): the lab's containers cannot run Cassandra's JVM, so the tarball has the real one's
 * layout (apache-cassandra-3.11.19/bin/cassandra, bin/nodetool, bin/cqlsh, conf/) with small
 * python3 scripts from test/support/stand-in-cassandra/ in place of the programs. They read the
 * cassandra.yaml wire-install renders, listen on its addresses, refuse to start without a usable
 * data directory or a reachable seed, and answer nodetool status/describecluster and cqlsh the
 * way the real ones print (see lib/stand_in_cassandra.py). The production steps are unchanged.
 */
const SOURCE = fileURLToPath(new URL('./stand-in-cassandra/', import.meta.url));

/** Builds the stand-in tarball and returns its path (for standInBundle's `{ from }`). */
export function standInCassandraTarball(): string {
  const work = mkdtempSync(join(tmpdir(), 'wil-cassandra-'));
  const top = `apache-cassandra-${CASSANDRA_VERSION}`;
  cpSync(SOURCE, join(work, top), {
    recursive: true,
    filter: (path) => !path.includes('__pycache__'),
  });
  for (const name of readdirSync(join(work, top, 'bin'))) chmodSync(join(work, top, 'bin', name), 0o755);
  const tarball = join(work, `${top}-bin.tar.gz`);
  execFileSync('tar', ['-czf', tarball, '--owner=0', '--group=0', '-C', work, top]);
  return tarball;
}
