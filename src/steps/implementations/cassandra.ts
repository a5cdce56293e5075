import { BUNDLE_BINARIES } from '../../bundle/binaries.js';
import { WireInstallError } from '../../core/errors.js';
import type { StepHost } from '../../engine/types.js';
import { shellQuote } from '../../hosts/become.js';
import { type Inventory, trafficAddress } from '../../inventory/defaults.js';
import { aptPackageOperation } from '../../operations/apt.js';
import { commandOperation } from '../../operations/command.js';
import { directoryOperation } from '../../operations/directory.js';
import { fileOperation } from '../../operations/file.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { lastLines, runOrFail } from '../../operations/run.js';
import { systemdUnitOperation } from '../../operations/systemd.js';
import type { Operation, OperationContext } from '../../operations/types.js';
import { groupOperation, userOperation } from '../../operations/user.js';
import { CLOCK_SKEW_WARN_MS } from '../../preflight/host-checks.js';
import type { Finding } from '../../rules/finding.js';
import { sha256Text } from '../../state/fingerprint.js';
import { fromAssets } from '../../wire/assets.js';
import {
  CASSANDRA_VERSION,
  CASSANDRA_YAML,
  CQL_PORT,
  CQLSH,
  cassandraEnv,
  cassandraHost,
  cassandraHosts,
  cassandraRackdc,
  cassandraSeed,
  cassandraUnit,
  cassandraYaml,
  createKeyspace,
  DATA_DIRS,
  DATA_ROOT,
  ENV_FILE,
  INSTALL_DIR,
  KEYSPACES,
  NODETOOL,
  RACKDC,
  REPLICATION_FACTOR,
  UNIT,
  UNIT_FILE,
} from './cassandra-config.js';
import { parseDescribeCluster, parseKeyspaces, parseNodetoolStatus } from './cassandra-nodetool.js';
import { type Implementation, needBundle, type WireStageOptions } from './types.js';

/**
 * Cassandra 3.11.19 on the cassandra hosts, Wire's cassandra.yml (docs/wire/install-sequences.md#cassandra-install): OpenJDK 8
 * from the bundle's apt repository, the tarball from the bundle unpacked into a versioned
 * directory, configuration from templates/cassandra/ (cassandra-config.ts), then the nodes
 * started the seed first and one at a time, each waited for until it is UN in the ring, the
 * keyspaces brig, galley, gundeck and spar, and a health check (docs/wire/health-and-ports.md#health-checks).
 */
const TARBALL = `/var/cache/wire-install/apache-cassandra-${CASSANDRA_VERSION}-bin.tar.gz`;
const JOURNAL_HINT = `journalctl -u ${UNIT} -n 50; systemctl status ${UNIT}`;
const JOURNAL_LINES = `journalctl -u ${UNIT} -n 8 --no-pager -o cat 2>/dev/null`;

/** A real 3.11 node joining an empty ring is UN within about a minute (30 s ring delay, then bootstrap). */
export const START_TIMEOUT_MS = 300_000;
const POLL_MS = 1_000;

/** Unpacked beside a temporary name, then moved: a broken unpack never looks installed. */
function unpackScript(): string {
  const top = `apache-cassandra-${CASSANDRA_VERSION}`;
  return [
    'set -e',
    'tmp=$(mktemp -d /opt/.wire-install-cassandra.XXXXXX)',
    'trap \'rm -rf "$tmp"\' EXIT',
    `tar -xzf ${TARBALL} -C "$tmp" --no-same-owner`,
    `test -x "$tmp/${top}/bin/cassandra"`,
    `chown -R cassandra:cassandra "$tmp/${top}"`,
    // Left from elsewhere (bin/cassandra missing): mv would nest the new tree inside it.
    `if [ -e ${INSTALL_DIR} ]; then echo "${INSTALL_DIR} exists but has no bin/cassandra: move it away" >&2; exit 1; fi`,
    `mv "$tmp/${top}" ${INSTALL_DIR}`,
  ].join('\n');
}

export function cassandraInstall(
  inventory: Inventory,
  host: StepHost,
  options: WireStageOptions,
): Operation[] {
  const node = cassandraHost(inventory, host.name);
  const owned = { owner: 'cassandra', group: 'cassandra' };
  return [
    aptPackageOperation({ name: 'openjdk-8-jre-headless' }),
    groupOperation({ name: 'cassandra', system: true }),
    userOperation({
      name: 'cassandra',
      system: true,
      home: DATA_ROOT,
      shell: '/usr/sbin/nologin',
      createHome: false,
    }),
    fromAssets(inventory, options, BUNDLE_BINARIES.cassandra, TARBALL, 0o644),
    commandOperation({
      name: `unpack Cassandra ${CASSANDRA_VERSION} into ${INSTALL_DIR}`,
      command: unpackScript(),
      creates: `${INSTALL_DIR}/bin/cassandra`,
    }),
    directoryOperation({ path: DATA_ROOT, mode: 0o755, ...owned }),
    ...Object.values(DATA_DIRS).map((path) => directoryOperation({ path, mode: 0o775, ...owned })),
    fileOperation(
      { path: CASSANDRA_YAML, content: cassandraYaml(inventory, node), mode: 0o644, ...owned },
      'cassandra/cassandra.yaml',
    ),
    fileOperation(
      { path: RACKDC, content: cassandraRackdc(), mode: 0o644, ...owned },
      'cassandra/cassandra-rackdc.properties',
    ),
    fileOperation(
      { path: ENV_FILE, content: cassandraEnv(host.facts), mode: 0o644 },
      'cassandra/cassandra.env',
    ),
    fileOperation({ path: UNIT_FILE, content: cassandraUnit(), mode: 0o644 }, 'cassandra/cassandra.service'),
  ];
}

interface UnitState {
  activeState: string;
  subState: string;
  restarts: number;
}

async function unitState(context: OperationContext): Promise<UnitState> {
  const result = await runOrFail(
    context.host,
    `reading the state of ${UNIT}`,
    `systemctl show -p ActiveState -p SubState -p NRestarts ${UNIT}`,
  );
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(result.stdout)?.[1] ?? '';
  return {
    activeState: value('ActiveState'),
    subState: value('SubState'),
    restarts: Number(value('NRestarts') || 0),
  };
}

/** This node's line in `nodetool status`, or why there is none. */
async function ringLine(
  context: OperationContext,
  address: string,
): Promise<{ up: boolean; measured: string }> {
  const result = await context.host.exec(`${NODETOOL} status`);
  if (result.exitCode !== 0)
    return {
      up: false,
      measured: `nodetool status: ${lastLines(`${result.stdout}\n${result.stderr}`, 1)[0] ?? `exit ${result.exitCode}`}`,
    };
  const member = parseNodetoolStatus(result.stdout).find((candidate) => candidate.address === address);
  if (!member) return { up: false, measured: `${address} is not in nodetool status yet` };
  return { up: member.status === 'U' && member.state === 'N', measured: member.line };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until this node is UN, so that the next node of the serial step starts only after it
 * (docs/wire/inventory-and-hardware.md#inventory-groups: nodes join through the seed one by one). Fails at once when the unit stops or
 * systemd restarts it (the process died), else after `timeoutMs`.
 */
export function waitUntilUn(address: string, timeoutMs = START_TIMEOUT_MS): Operation {
  const target = `${address} UN in nodetool status`;
  return {
    kind: 'cassandra-ring',
    target,
    inputs: { address, timeoutMs },
    async check(context) {
      const { up, measured } = await ringLine(context, address);
      return up ? { changes: [], notes: [] } : { changes: [`wait until ${target}`], notes: [measured] };
    },
    async apply(context) {
      const started = Date.now();
      if ((await ringLine(context, address)).up) return { changes: [], notes: [] };
      const before = await unitState(context);
      let measured = '';
      while (Date.now() - started < timeoutMs) {
        const state = await unitState(context);
        const died = state.activeState !== 'active' || state.restarts > before.restarts;
        if (died)
          await fail(
            context,
            address,
            `${UNIT} is not running (ActiveState=${state.activeState}, SubState=${state.subState}, NRestarts=${state.restarts})`,
            measured,
          );
        const line = await ringLine(context, address);
        if (line.up)
          return {
            changes: [`${address} joined the ring (UN after ${Math.round((Date.now() - started) / 1000)} s)`],
            notes: [],
          };
        measured = line.measured;
        await sleep(POLL_MS);
      }
      return fail(context, address, `not UN after ${Math.round(timeoutMs / 1000)} s`, measured);
    },
  };
}

async function fail(
  context: OperationContext,
  address: string,
  why: string,
  measured: string,
): Promise<never> {
  const journal = await context.host.exec(JOURNAL_LINES);
  throw new WireInstallError({
    what: `${context.host.name}: Cassandra on ${address} did not come up as UN in nodetool status: ${why}`,
    host: context.host.name,
    evidence: [
      `measured: ${measured || 'nothing yet'}`,
      ...lastLines(journal.stdout, 8).map((line) => `| ${line}`),
    ],
    next: `see why: ${JOURNAL_HINT}`,
  });
}

/**
 * The running node follows its configuration: the files are written by the install step, so
 * their checksum is part of this step's inputs. Changed configuration makes this step due again
 * (not current by checkpoint) and the unit restarts, one node at a time.
 */
export function cassandraStart(inventory: Inventory, host: StepHost): Operation[] {
  const node = cassandraHost(inventory, host.name);
  const configuration = sha256Text(
    [cassandraYaml(inventory, node), cassandraRackdc(), cassandraEnv(host.facts), cassandraUnit()].join('\0'),
  );
  const unit = systemdUnitOperation({
    unit: UNIT,
    enabled: true,
    running: true,
    // Written by databases.cassandra-install: newer than the running node means restart it.
    restartWhenChanged: [CASSANDRA_YAML, RACKDC, ENV_FILE, UNIT_FILE],
  });
  return [{ ...unit, inputs: { unit: unit.inputs, configuration } }, waitUntilUn(trafficAddress(node))];
}

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
      return expected.flatMap(({ name, address }) => {
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
      });
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

export const CASSANDRA_IMPLEMENTATIONS: Record<string, Implementation> = {
  'databases.cassandra-install': {
    needsBundle: true,
    operations: (inventory, host, options) => {
      needBundle(options);
      return cassandraInstall(inventory, host, options);
    },
  },
  'databases.cassandra-start': { operations: (inventory, host) => cassandraStart(inventory, host) },
  'databases.cassandra-keyspaces': { operations: (inventory) => [cassandraKeyspaces(inventory)] },
  'databases.cassandra-health': {
    operations: (inventory, host) => cassandraHealth(inventory, host),
    alwaysRun: true,
  },
};
