import { WireInstallError } from '../../../core/errors.js';
import type { StepHost } from '../../../engine/types.js';
import { type Inventory, trafficAddress } from '../../../inventory/defaults.js';
import { lastLines, runOrFail } from '../../../operations/run.js';
import { systemdUnitOperation } from '../../../operations/systemd.js';
import type { Operation, OperationContext } from '../../../operations/types.js';
import { sha256Text } from '../../../state/fingerprint.js';
import {
  CASSANDRA_YAML,
  cassandraEnv,
  cassandraHost,
  cassandraRackdc,
  cassandraSeed,
  cassandraUnit,
  cassandraYaml,
  ENV_FILE,
  JOURNAL_HINT,
  NODETOOL,
  parseNodetoolStatus,
  RACKDC,
  UNIT,
  UNIT_FILE,
} from '../../../wire/cassandra.js';
import {
  removeReplaceDropInOperation,
  replaceSelfOperation,
  waitForReplacementOperation,
} from '../../../wire/cassandra-replace.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const cassandraStartStep = defineStep({
  id: 'databases.cassandra-start',
  stage: 'databases',
  title: 'Start Cassandra: the seed first, then one node at a time',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['cassandra'] },
  order: 'serial',
  why: "Nodes bootstrap into the ring one by one from the seed (Wire's [cassandra_seed] group)",
  operations: (inventory, host) => cassandraStart(inventory, host),
});

/**
 * A node that never started and whose address the ring still holds (a host rebuilt under the same
 * address) replaces its old self; replace-host's new host replaces the old one's address (its
 * drop-in is written by replace-host before this step). The drop-in goes once the node is UN.
 *
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
  const address = trafficAddress(node);
  const seed = cassandraSeed(inventory);
  // A host rebuilt under a node's address takes that node's place in the ring (src/wire/cassandra-replace.ts).
  const replaceSelf =
    seed && seed.name !== node.name ? [replaceSelfOperation(address, trafficAddress(seed))] : [];
  return [
    ...replaceSelf,
    { ...unit, inputs: { unit: unit.inputs, configuration } },
    waitForReplacementOperation(),
    waitUntilUn(address),
    removeReplaceDropInOperation(),
  ];
}

const JOURNAL_LINES = `journalctl -u ${UNIT} -n 8 --no-pager -o cat 2>/dev/null`;

/** A real 3.11 node joining an empty ring is UN within about a minute (30 s ring delay, then bootstrap). */
export const START_TIMEOUT_MS = 300_000;
const POLL_MS = 1_000;

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
