import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StepHost } from '../../../src/engine/types.js';
import type { HostFacts } from '../../../src/hosts/facts.js';
import { postgresqlStandbysStep } from '../../../src/steps/databases/postgresql/standbys.js';
import { production } from '../../support/inventories.js';
import { testSecrets } from '../../support/test-secrets.js';
import { fakeContext, fakeHost } from '../operations/fake-host.js';

/**
 * databases.postgresql-standbys on a host in each state a failover leaves: the standby's own
 * operations (clone, follow) with a fake host answering as PostgreSQL 15 would. The primary is
 * datanode1 (192.168.122.31) in the production inventory.
 */
const inventory = production();
const host: StepHost = { name: 'datanode2', facts: {} as HostFacts, allFacts: new Map() };
const operations = postgresqlStandbysStep.operations(inventory, host, {
  secrets: testSecrets(),
} as unknown as Parameters<typeof postgresqlStandbysStep.operations>[2]);
const clone = operations.find(
  (operation) => operation.kind === 'postgresql-standby' && operation.target === '192.168.122.31',
);
const follow = operations.find((operation) => operation.target === 'follow 192.168.122.31');
const AUTO = '/var/lib/postgresql/15/main/postgresql.auto.conf';

describe('a standby after a failover', () => {
  it('never erases a host that is not a standby but holds the wire-server database (a promoted primary)', async () => {
    const fake = fakeHost([
      [/^ls -1 \/etc\/postgresql/, { stdout: '15\n' }],
      [/standby\.signal/, { exitCode: 1 }],
      [/pg_database WHERE datname = 'wire-server'/, { stdout: '1\n' }],
    ]);
    await expect(clone?.check(fakeContext(fake))).rejects.toThrow(
      'fake: PostgreSQL here is not a standby and holds the wire-server database; cloning it from 192.168.122.31 would erase it',
    );
    await expect(clone?.apply(fakeContext(fake))).rejects.toThrow(/would erase it/);
    expect(fake.commands.some((command) => command.includes('rm -rf'))).toBe(false);
  });

  it('clones a fresh host: the empty cluster the package made has no wire-server database', async () => {
    const fake = fakeHost([
      [/^ls -1 \/etc\/postgresql/, { stdout: '15\n' }],
      [/standby\.signal/, { exitCode: 1 }],
      [/pg_database/, { stdout: '' }],
    ]);
    expect((await clone?.check(fakeContext(fake)))?.changes).toEqual([
      'clone the data from 192.168.122.31 (pg_basebackup) and follow it',
    ]);
  });

  it('repoints a standby whose primary_conninfo names the old primary, and reloads', async () => {
    let conninfo =
      "primary_conninfo = 'user=replicator passfile=''/var/lib/postgresql/.pgpass'' host=192.168.122.39 port=5432 sslmode=prefer'";
    const fake = fakeHost([
      [/^ls -1 \/etc\/postgresql/, { stdout: '15\n' }],
      [/^grep -o "\^primary_conninfo/, { stdout: '' }],
      [/^sed -i/, {}],
    ]);
    const exec = fake.exec.bind(fake);
    fake.exec = async (command, options) => {
      if (command.startsWith('grep -o')) return { stdout: `${conninfo}\n`, stderr: '', exitCode: 0 };
      if (command.startsWith('sed -i')) {
        // The real sed on a copy of the line: the expression is what the host runs.
        const file = join(mkdtempSync(join(tmpdir(), 'wil-conninfo-')), 'postgresql.auto.conf');
        writeFileSync(file, `${conninfo}\n`);
        execSync(command.split(' && ')[0]?.replace(AUTO, file) ?? '', { shell: '/bin/sh' });
        conninfo = readFileSync(file, 'utf8').trim();
      }
      return exec(command, options);
    };
    expect((await follow?.check(fakeContext(fake)))?.changes).toEqual([
      'follow 192.168.122.31 (primary_conninfo named 192.168.122.39)',
    ]);
    expect((await follow?.apply(fakeContext(fake)))?.changes).toEqual([
      'follow 192.168.122.31 (primary_conninfo named 192.168.122.39)',
    ]);
    expect(fake.commands.find((command) => command.startsWith('sed -i'))).toContain(
      `${AUTO} && runuser -u postgres -- psql -X -At -c "SELECT pg_reload_conf()"`,
    );
    expect(conninfo).toContain('host=192.168.122.31 port=5432');
    // Following the primary already: nothing to do.
    expect((await follow?.check(fakeContext(fake)))?.changes).toEqual([]);
  });

  it('refuses to clone over a data directory it cannot read when PostgreSQL does not answer', async () => {
    const fake = fakeHost([
      [/^ls -1 \/etc\/postgresql/, { stdout: '15\n' }],
      [/standby\.signal/, { exitCode: 1 }],
      [/pg_database/, { exitCode: 2, stderr: 'psql: error: connection to server failed' }],
      [/PG_VERSION.*base/, { exitCode: 1 }],
    ]);
    await expect(clone?.apply(fakeContext(fake))).rejects.toThrow(
      "fake: PostgreSQL does not answer here, so wire-install cannot tell whether /var/lib/postgresql/15/main holds Wire's data",
    );
    expect(fake.commands.some((command) => command.includes('rm -rf'))).toBe(false);
  });
});
