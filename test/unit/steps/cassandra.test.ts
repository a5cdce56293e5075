import { describe, expect, it } from 'vitest';
import type { StepHost } from '../../../src/engine/types.js';
import type { HostFacts } from '../../../src/hosts/facts.js';
import type { ExecResult, RemoteHost } from '../../../src/hosts/types.js';
import { cassandraHealth, clockSkewFindings } from '../../../src/steps/databases/cassandra/health.js';
import { cassandraSteps } from '../../../src/steps/databases/cassandra/index.js';
import { cassandraInstall } from '../../../src/steps/databases/cassandra/install.js';
import { cassandraKeyspaces } from '../../../src/steps/databases/cassandra/keyspaces.js';
import { cassandraStart, waitUntilUn } from '../../../src/steps/databases/cassandra/start.js';
import {
  cassandraEnv,
  cassandraHost,
  cassandraRackdc,
  cassandraUnit,
  cassandraYaml,
  createKeyspace,
  heapSizes,
  parseDescribeCluster,
  parseKeyspaces,
  parseNodetoolStatus,
} from '../../../src/wire/cassandra.js';
import { production } from '../../support/inventories.js';
import { fakeContext } from '../operations/fake-host.js';

/** What the cassandra steps would write and run, from a 3-node inventory (the lab runs them for real). */

const inventory = production((input) => {
  // Private addresses differ from the SSH ones: configuration must use the traffic address.
  input.hosts = input.hosts.map((host) =>
    host.name.startsWith('datanode')
      ? { ...host, privateAddress: host.address.replace('192.168.122.', '10.10.0.') }
      : host,
  );
});
const yamlOf = (name: string) => cassandraYaml(inventory, cassandraHost(inventory, name));
/** The value of a top-level `key: value` line. */
const key = (yaml: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(yaml)?.[1];

describe('cassandra.yaml for a three-node inventory (docs/wire/install-sequences.md#cassandra-install, docs/wire/inventory-and-hardware.md#inventory, docs/wire/health-and-ports.md#ports-and-firewall)', () => {
  it('names the first cassandra host as the only seed on every node (Wire’s cassandra_seed)', () => {
    for (const name of ['datanode1', 'datanode2', 'datanode3'])
      expect(yamlOf(name)).toMatch(/^\s+- seeds: "10\.10\.0\.31"$/m);
  });

  it("listens and serves CQL on each node's own traffic (private) address, on 7000 and 9042", () => {
    const second = yamlOf('datanode2');
    expect(key(second, 'listen_address')).toBe('10.10.0.32');
    expect(key(second, 'rpc_address')).toBe('10.10.0.32');
    expect(key(second, 'storage_port')).toBe('7000');
    expect(key(second, 'native_transport_port')).toBe('9042');
    expect(second).not.toContain('192.168.122.32');
  });

  // Wire's cluster name; the snitch deliberately not Wire's SimpleSnitch
  // (docs/wire/deployment-sources.md#cassandra).
  it("uses Wire's cluster name 'default', GossipingPropertyFileSnitch and Wire's /mnt/cassandra dirs", () => {
    const yaml = yamlOf('datanode1');
    expect(key(yaml, 'cluster_name')).toBe("'default'");
    expect(key(yaml, 'endpoint_snitch')).toBe('GossipingPropertyFileSnitch');
    expect(yaml).toMatch(/^data_file_directories:\n\s+- \/mnt\/cassandra\/data$/m);
    expect(key(yaml, 'commitlog_directory')).toBe('/mnt/cassandra/commitlog');
    expect(key(yaml, 'saved_caches_directory')).toBe('/mnt/cassandra/saved_caches');
    expect(key(yaml, 'hints_directory')).toBe('/mnt/cassandra/hints');
    // Keys Cassandra 3.11 refuses to start without.
    for (const required of ['partitioner', 'commitlog_sync', 'endpoint_snitch'])
      expect(key(yaml, required)).toBeTruthy();
  });

  it('puts every node in one data centre and rack for the snitch', () => {
    expect(cassandraRackdc()).toMatch(/^dc=dc1$/m);
    expect(cassandraRackdc()).toMatch(/^rack=rack1$/m);
  });
});

describe('heap and unit', () => {
  it("computes the heap the way cassandra-env.sh does (1024M/200M on Wire's 4 GiB, 2 CPU VM)", () => {
    expect(heapSizes(4, 2)).toEqual({ maxHeapMiB: 1024, newHeapMiB: 200 });
    expect(heapSizes(16, 8)).toEqual({ maxHeapMiB: 4096, newHeapMiB: 800 });
    expect(heapSizes(64, 16)).toEqual({ maxHeapMiB: 8192, newHeapMiB: 1600 });
    const env = cassandraEnv({ memoryGiB: 4, cpus: 2 });
    expect(env).toMatch(/^MAX_HEAP_SIZE=1024M$/m);
    expect(env).toMatch(/^JAVA_HOME=\/usr\/lib\/jvm\/java-8-openjdk-amd64$/m);
    expect(env).toMatch(/^HEAP_NEWSIZE=200M$/m);
  });

  it('runs the versioned install in the foreground as the cassandra user, with the heap file', () => {
    const unit = cassandraUnit();
    expect(unit).toMatch(/^ExecStart=\/opt\/apache-cassandra-3\.11\.19\/bin\/cassandra -f$/m);
    expect(unit).toMatch(/^User=cassandra$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/default\/cassandra$/m);
  });
});

describe('operations', () => {
  const host = (name: string): StepHost => ({
    name,
    facts: { memoryGiB: 4, cpus: 2 } as HostFacts,
    allFacts: new Map(),
  });
  const options = {
    bundleRoot: '/nonexistent',
  } as unknown as Parameters<typeof cassandraInstall>[2];

  it('installs Java, the user, the tarball from the asset host, unpacks it, then writes the config', () => {
    const operations = cassandraInstall(inventory, host('datanode2'), options);
    const kinds = operations.map((op) => `${op.kind} ${op.target}`);
    expect(kinds.slice(0, 5)).toEqual([
      'apt-package openjdk-8-jre-headless',
      'group cassandra',
      'user cassandra',
      'asset /var/cache/wire-install/apache-cassandra-3.11.19-bin.tar.gz',
      'command unpack Cassandra 3.11.19 into /opt/apache-cassandra-3.11.19',
    ]);
    expect(operations[3]?.inputs).toMatchObject({
      url: 'http://192.168.122.10:8080/binaries/apache-cassandra-3.11.19-bin.tar.gz',
    });
    expect(operations[4]?.inputs).toMatchObject({ creates: '/opt/apache-cassandra-3.11.19/bin/cassandra' });
    // Nothing is started by the install step: starting is the serial step's job.
    expect(operations.map((op) => op.kind)).not.toContain('systemd-unit');
    expect(kinds).toContain('template /opt/apache-cassandra-3.11.19/conf/cassandra.yaml');
  });

  it('starts (restarting on changed config) and waits for its own address to be UN', () => {
    // First: a node rebuilt under its address replaces its old self (asks the seed); last: the drop-in goes.
    const [replaceSelf, unit, replacing, wait, dropIn] = cassandraStart(inventory, host('datanode3'));
    // A replacement streams before it is done: it is waited for by its mode, not its ring line.
    expect(replacing?.inputs).toEqual({ waitForReplacement: true });
    expect(replaceSelf?.inputs).toEqual({ replaceSelf: '10.10.0.33', seed: '10.10.0.31' });
    expect(dropIn?.target).toBe('/etc/systemd/system/cassandra.service.d/wire-install-replace-address.conf');
    // The seed replaces nothing: it has no seed to ask.
    expect(cassandraStart(inventory, host('datanode1')).map((op) => op.kind)).toEqual([
      'systemd-unit',
      'cassandra-replace-address',
      'cassandra-ring',
      'cassandra-replace-address',
    ]);
    expect(unit?.inputs).toMatchObject({
      unit: {
        unit: 'cassandra.service',
        enabled: true,
        running: true,
        restartWhenChanged: expect.arrayContaining(['/opt/apache-cassandra-3.11.19/conf/cassandra.yaml']),
      },
    });
    expect(wait?.target).toBe('10.10.0.33 UN in nodetool status');
  });

  it('is due again when the configuration changes (the files are written by the install step)', () => {
    const inputs = (of: typeof inventory, facts = host('datanode2')) =>
      JSON.stringify(cassandraStart(of, facts).map((op) => op.inputs));
    const otherSeed = production((input) => {
      input.hosts = [...input.hosts].reverse();
    });
    expect(inputs(inventory)).toBe(
      inputs(
        production((input) => {
          input.hosts = input.hosts.map((h) =>
            h.name.startsWith('datanode')
              ? { ...h, privateAddress: h.address.replace('192.168.122.', '10.10.0.') }
              : h,
          );
        }),
      ),
    );
    expect(inputs(otherSeed)).not.toBe(inputs(production()));
    const bigger: StepHost = { ...host('datanode2'), facts: { memoryGiB: 16, cpus: 8 } as HostFacts };
    expect(inputs(inventory, bigger)).not.toBe(inputs(inventory));
  });

  it('starts one node at a time in inventory order, the seed first; keyspaces on the first host only', () => {
    const order = Object.fromEntries(cassandraSteps.map((step) => [step.id, step.order]));
    expect(order['databases.cassandra-start']).toBe('serial');
    expect(order['databases.cassandra-keyspaces']).toBe('first-host-only');
    expect(order['databases.cassandra-install']).toBe('parallel');
    expect(cassandraSteps.map((step) => step.id)).toEqual([
      'databases.cassandra-install',
      'databases.cassandra-start',
      'databases.cassandra-keyspaces',
      'databases.cassandra-health',
    ]);
    expect(cassandraSteps.every((step) => typeof step.operations === 'function')).toBe(true);
    expect(cassandraSteps.find((step) => step.id === 'databases.cassandra-health')?.alwaysRun).toBe(true);
  });

  it("creates Wire's four keyspaces with replication factor 3 through the seed's CQL address (docs/wire/charts-values-secrets.md#values)", () => {
    expect(cassandraKeyspaces(inventory).inputs).toEqual({
      keyspaces: ['brig', 'galley', 'gundeck', 'spar'],
      replicationFactor: 3,
      address: '10.10.0.31',
    });
    expect(createKeyspace('brig')).toBe(
      "CREATE KEYSPACE IF NOT EXISTS brig WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3};",
    );
  });
});

describe('reading nodetool and cqlsh', () => {
  it('reads UN and DN lines of nodetool status', () => {
    const output = [
      'Datacenter: dc1',
      '===============',
      'Status=Up/Down',
      '|/ State=Normal/Leaving/Joining/Moving',
      '--  Address      Load       Tokens       Owns (effective)  Host ID                               Rack',
      'UN  10.10.0.31   108.4 KiB  256          100.0%            0c0f8c1e-1f2a-4c4e-9d67-5b1a2f3e4d5c  rack1',
      'DN  10.10.0.32   ?          256          100.0%            1d1f8c1e-1f2a-4c4e-9d67-5b1a2f3e4d5c  rack1',
      'UJ  10.10.0.33   12 KiB     256          ?                 2e2f8c1e-1f2a-4c4e-9d67-5b1a2f3e4d5c  rack1',
    ].join('\n');
    expect(parseNodetoolStatus(output).map((m) => `${m.status}${m.state} ${m.address}`)).toEqual([
      'UN 10.10.0.31',
      'DN 10.10.0.32',
      'UJ 10.10.0.33',
    ]);
  });

  it('reads schema versions and unreachable nodes of describecluster', () => {
    const output = [
      'Cluster Information:',
      '\tName: default',
      '\tSchema versions:',
      '\t\t86afa796-d883-3932-aa73-6b017cef0d19: [10.10.0.31, 10.10.0.32]',
      '',
      '\t\t5a54ebd6-a0a0-3a4b-9a0b-000000000000: [10.10.0.33]',
      '',
      '\t\tUNREACHABLE: [10.10.0.34]',
    ].join('\n');
    const { versions, unreachable } = parseDescribeCluster(output);
    expect([...versions.values()]).toEqual([['10.10.0.31', '10.10.0.32'], ['10.10.0.33']]);
    expect(unreachable).toEqual(['10.10.0.34']);
  });

  it('reads keyspace names and replication factors from cqlsh', () => {
    const output = [
      '',
      ' keyspace_name | replication',
      '---------------+---------------------------------------------',
      "   system_auth | {'class': 'org.apache.cassandra.locator.SimpleStrategy', 'replication_factor': '1'}",
      "        system | {'class': 'org.apache.cassandra.locator.LocalStrategy'}",
      "          brig | {'class': 'org.apache.cassandra.locator.SimpleStrategy', 'replication_factor': '3'}",
      '',
      '(3 rows)',
    ].join('\n');
    expect(parseKeyspaces(output)).toEqual([
      { name: 'system_auth', replicationFactor: 1 },
      { name: 'system', replicationFactor: undefined },
      { name: 'brig', replicationFactor: 3 },
    ]);
  });
});

/** A host whose answers change as commands run: each rule answers from the current state. */
function scriptedHost(answer: (command: string) => Partial<ExecResult>) {
  const commands: string[] = [];
  const host: RemoteHost & { commands: string[] } = {
    name: 'datanode1',
    commands,
    async exec(command) {
      commands.push(command);
      return { stdout: '', stderr: '', exitCode: 0, ...answer(command) };
    },
    close() {},
  };
  return host;
}

const ROWS = (rows: string[]) =>
  [' keyspace_name | replication', '---------------+------------', ...rows, '', `(${rows.length} rows)`].join(
    '\n',
  );
const simple = (name: string, factor: number) =>
  ` ${name} | {'class': 'org.apache.cassandra.locator.SimpleStrategy', 'replication_factor': '${factor}'}`;

describe('keyspaces operation', () => {
  it('says which keyspaces are missing, and notes one whose replication factor is not 3', async () => {
    const host = scriptedHost(() => ({ stdout: ROWS([simple('brig', 3), simple('galley', 1)]) }));
    const outcome = await cassandraKeyspaces(inventory).check(fakeContext(host));
    expect(outcome.changes).toEqual([
      'create keyspace gundeck (SimpleStrategy, replication factor 3)',
      'create keyspace spar (SimpleStrategy, replication factor 3)',
    ]);
    expect(outcome.notes.join('\n')).toMatch(/keyspace galley has replication factor 1, Wire's is 3/);
    expect(host.commands[0]).toMatch(/cqlsh '10\.10\.0\.31' 9042 -e 'SELECT keyspace_name/);
  });

  it('creates only the missing ones, then finds nothing to do', async () => {
    const present = new Set(['brig', 'galley']);
    const host = scriptedHost((command) => {
      for (const match of command.matchAll(/CREATE KEYSPACE IF NOT EXISTS (\w+)/g))
        present.add(match[1] ?? '');
      return { stdout: ROWS([...present].map((name) => simple(name, 3))) };
    });
    const operation = cassandraKeyspaces(inventory);
    expect((await operation.apply(fakeContext(host))).changes).toHaveLength(2);
    const create = host.commands.find((command) => command.includes('CREATE'));
    expect(create).toContain('gundeck');
    expect(create).not.toContain('brig');
    expect(await operation.apply(fakeContext(host))).toEqual({ changes: [], notes: [] });
  });
});

describe('waiting for a node to be UN', () => {
  it('fails at once, naming the host and the journal, when systemd restarts the node', async () => {
    let restarts = 0;
    const host = scriptedHost((command) => {
      if (command.includes('nodetool status'))
        return { exitCode: 1, stderr: "nodetool: Failed to connect to '10.10.0.31:7199'" };
      if (command.startsWith('systemctl show'))
        return { stdout: `ActiveState=active\nSubState=running\nNRestarts=${restarts++ > 0 ? 1 : 0}\n` };
      if (command.startsWith('journalctl'))
        return { stdout: 'ERROR Insufficient permissions on directory /mnt/cassandra/data\n' };
      throw new Error(`unexpected command: ${command}`);
    });
    const started = Date.now();
    const error = await waitUntilUn('10.10.0.31', 60_000)
      .apply(fakeContext(host))
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({
      host: 'datanode1',
      what: expect.stringMatching(
        /^datanode1: Cassandra on 10\.10\.0\.31 did not come up as UN .*NRestarts=1/,
      ),
      next: expect.stringContaining('journalctl -u cassandra.service'),
    });
    expect((error as { evidence: string[] }).evidence.join('\n')).toContain('Insufficient permissions');
  });

  it('is current when the node is already UN', async () => {
    const host = scriptedHost(() => ({ stdout: 'UN  10.10.0.31   1 KiB  256  100.0%  id  rack1\n' }));
    expect(await waitUntilUn('10.10.0.31').check(fakeContext(host))).toEqual({ changes: [], notes: [] });
  });
});

describe('health', () => {
  const stepHost = (offsets: Record<string, number>, name = 'datanode1'): StepHost => {
    const facts = (ms: number) => ({ clockOffsetMs: ms }) as HostFacts;
    return {
      name,
      facts: facts(offsets[name] ?? 0),
      allFacts: new Map(Object.entries(offsets).map(([host, ms]) => [host, facts(ms)])),
    };
  };

  it('fails naming a node that nodetool shows DN, with its line as evidence', async () => {
    const [ring] = cassandraHealth(inventory, stepHost({ datanode1: 0 }));
    const host = scriptedHost(() => ({
      stdout: [
        'UN  10.10.0.31  1 KiB  256  100.0%  a  rack1',
        'UN  10.10.0.32  1 KiB  256  100.0%  b  rack1',
        'DN  10.10.0.33  1 KiB  256  100.0%  c  rack1',
      ].join('\n'),
    }));
    const error = await ring?.apply(fakeContext(host)).catch((e: unknown) => e);
    expect(JSON.stringify(error)).toContain('datanode3 (10.10.0.33) is DN, not UN');
    expect(JSON.stringify(error)).not.toContain('datanode2');
  });

  it('fails on a ring member that no cassandra host of the inventory has (a node dropped without remove-host)', async () => {
    const [ring] = cassandraHealth(inventory, stepHost({ datanode1: 0 }));
    const host = scriptedHost(() => ({
      stdout: [
        'UN  10.10.0.31  1 KiB  256  75.0%  a  rack1',
        'UN  10.10.0.32  1 KiB  256  75.0%  b  rack1',
        'UN  10.10.0.33  1 KiB  256  75.0%  c  rack1',
        'DN  10.10.0.34  1 KiB  256  75.0%  d  rack1',
      ].join('\n'),
    }));
    const error = await ring?.apply(fakeContext(host)).catch((e: unknown) => e);
    expect(JSON.stringify(error)).toContain(
      '10.10.0.34 is in the ring, but no cassandra host of the inventory has that address',
    );
    expect(JSON.stringify(error)).toContain('remove-host');
    expect(JSON.stringify(error)).not.toContain('datanode1 (');
  });

  it('warns when this node’s clock is off the other cassandra nodes’', () => {
    const offsets = { datanode1: 0, datanode2: 40, datanode3: 2_500 };
    expect(clockSkewFindings(inventory, stepHost(offsets))).toEqual([]);
    expect(clockSkewFindings(inventory, stepHost(offsets, 'datanode3'))).toMatchObject([
      { severity: 'warning', rule: 'databases.cassandra-clock', host: 'datanode3' },
    ]);
  });
});
