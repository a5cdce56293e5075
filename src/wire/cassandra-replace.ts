import { WireInstallError } from '../core/errors.js';
import { shellQuote } from '../hosts/become.js';
import { lastLines, runOrFail } from '../operations/run.js';
import type { Operation, OperationContext } from '../operations/types.js';
import { CQL_PORT, CQLSH, DATA_DIRS, NODETOOL, UNIT } from './cassandra.js';

/**
 * A new Cassandra node that takes the place of one that is gone, keeping its tokens (Cassandra's
 * `replace_address_first_boot`), instead of bootstrapping beside a dead member:
 *
 * - a host rebuilt under the same address: a node with a fresh data directory whose address the
 *   ring still holds would be refused by Cassandra ("A node with address ... already exists,
 *   cancelling join. Use cassandra.replace_address if you want to replace this node");
 * - `replace-host OLD --with NEW` when OLD does not answer: NEW replaces OLD's address (a
 *   bootstrap would need OLD's ranges streamed from OLD, and removenode afterwards would stream
 *   them a second time).
 *
 * The option reaches the JVM through a systemd drop-in setting JVM_EXTRA_OPTS, which Cassandra's
 * cassandra-env.sh appends to JVM_OPTS. Cassandra reads it only on a node's first boot; the
 * drop-in is removed once the node is UN, so it never lingers (and a later restart does not see it).
 * Apache Cassandra's documentation: "Replacing a dead node"
 * (https://cassandra.apache.org/doc/3.11/cassandra/operating/topo_changes.html#replacing-a-dead-node).
 */
export const REPLACE_DROP_IN_DIR = `/etc/systemd/system/${UNIT}.d`;
export const REPLACE_DROP_IN = `${REPLACE_DROP_IN_DIR}/wire-install-replace-address.conf`;

export function replaceDropIn(address: string): string {
  return [
    '# Written by wire-install: this node replaces the Cassandra node at this address on its first',
    '# boot (it takes over its tokens). Removed by wire-install once the node is UN.',
    '[Service]',
    `Environment="JVM_EXTRA_OPTS=-Dcassandra.replace_address_first_boot=${address}"`,
    '',
  ].join('\n');
}

/** The address in the drop-in, or undefined when there is none. */
async function dropInAddress(context: OperationContext): Promise<string | undefined> {
  const result = await context.host.exec(`cat ${REPLACE_DROP_IN} 2>/dev/null`);
  if (result.exitCode !== 0) return undefined;
  return /replace_address_first_boot=([^\s"]+)/.exec(result.stdout)?.[1] ?? '';
}

/**
 * The node has never started: its data directory is empty (Cassandra writes its system keyspace
 * there on the first boot). Only such a node may replace another.
 */
async function neverStarted(context: OperationContext): Promise<boolean> {
  const result = await runOrFail(
    context.host,
    `looking into ${DATA_DIRS.dataDir}`,
    `find ${DATA_DIRS.dataDir} -mindepth 1 -maxdepth 1 2>/dev/null | head -n 1`,
  );
  return result.stdout.trim() === '';
}

async function writeDropIn(context: OperationContext, address: string): Promise<void> {
  await runOrFail(
    context.host,
    `writing ${REPLACE_DROP_IN}`,
    `sh -c ${shellQuote(
      [
        'set -e',
        `mkdir -p ${REPLACE_DROP_IN_DIR}`,
        `tmp=$(mktemp ${REPLACE_DROP_IN}.XXXXXX)`,
        'cat > "$tmp"',
        'chmod 644 "$tmp"',
        `mv -f "$tmp" ${REPLACE_DROP_IN}`,
        'systemctl daemon-reload',
      ].join('\n'),
    )}`,
    { stdin: replaceDropIn(address) },
  );
}

/**
 * replace-host's own step on the new host, before Wire's steps install it: the drop-in naming the
 * old node's address. Nothing when the node has started before (it is in the ring already).
 */
export function replaceAddressOperation(address: string): Operation {
  const change = `replace the Cassandra node ${address} on first boot (${REPLACE_DROP_IN})`;
  const todo = async (context: OperationContext) =>
    (await dropInAddress(context)) !== address && (await neverStarted(context));
  return {
    kind: 'cassandra-replace-address',
    target: address,
    inputs: { replace: address },
    async check(context) {
      return { changes: (await todo(context)) ? [change] : [], notes: [] };
    },
    async apply(context) {
      if (!(await todo(context))) return { changes: [], notes: [] };
      await writeDropIn(context, address);
      return { changes: [change], notes: [] };
    },
  };
}

/** The addresses of the other nodes the seed knows (system.peers), as cqlsh prints them. */
export function peersFrom(cqlshOutput: string): string[] {
  return cqlshOutput
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^[0-9a-fA-F:.]+$/.test(line) && /[.:]/.test(line));
}

/**
 * Wire's cassandra-start on a node that is not the seed: a node that never started, whose own
 * address the seed still lists among its peers, is a host rebuilt under the same address; it
 * replaces itself. The seed is asked over CQL from the node (cqlsh SEED 9042); a seed that does
 * not answer leaves the node to bootstrap as usual (it could not join without the seed anyway).
 */
export function replaceSelfOperation(address: string, seedAddress: string): Operation {
  const change = `replace this node's old self at ${address} on first boot: the ring still holds ${address} (${REPLACE_DROP_IN})`;
  const ask = (context: OperationContext) =>
    context.host.exec(
      `timeout 30 ${CQLSH} ${shellQuote(seedAddress)} ${CQL_PORT} -e "SELECT peer FROM system.peers"`,
    );
  const todo = async (context: OperationContext, wait: boolean) => {
    if ((await dropInAddress(context)) !== undefined || !(await neverStarted(context))) return false;
    let peers = await ask(context);
    // The seed's CQL opens a little after it is UN. A node that started without asking could not
    // be fixed later (its data directory is no longer empty): ask for a minute, then stop.
    for (const started = Date.now(); wait && peers.exitCode !== 0 && Date.now() - started < 60_000; ) {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      peers = await ask(context);
    }
    if (peers.exitCode !== 0 && wait)
      throw new WireInstallError({
        what: `${context.host.name}: before its first start, the seed ${seedAddress} could not be asked whether the ring still holds ${address} (cqlsh exit ${peers.exitCode})`,
        evidence: lastLines(`${peers.stdout}\n${peers.stderr}`),
        next: `the seed must be UN and answer CQL on ${seedAddress}:${CQL_PORT} (databases.cassandra-start starts it first); then run apply again`,
      });
    return peers.exitCode === 0 && peersFrom(peers.stdout).includes(address);
  };
  return {
    kind: 'cassandra-replace-address',
    target: address,
    inputs: { replaceSelf: address, seed: seedAddress },
    async check(context) {
      return { changes: (await todo(context, false)) ? [change] : [], notes: [] };
    },
    async apply(context) {
      if (!(await todo(context, true))) return { changes: [], notes: [] };
      await writeDropIn(context, address);
      return { changes: [change], notes: [] };
    },
  };
}

/** How long a replacement may stream before the run gives up on it (a large node: hours). */
const REPLACE_TIMEOUT_MS = 12 * 3600_000;

/** The node's own mode (nodetool netstats): NORMAL once it has joined, JOINING while it streams. */
async function mode(context: OperationContext): Promise<string | undefined> {
  const result = await context.host.exec(`${NODETOOL} netstats`);
  return result.exitCode === 0 ? /^Mode:\s*(\S+)/m.exec(result.stdout)?.[1] : undefined;
}

/**
 * While a node replaces another (the drop-in is there), it streams the replaced node's data:
 * its address may show UN (the same address) or not at all (a new one) long before it is done.
 * This waits until `nodetool netstats` says Mode: NORMAL, bounded at 12 hours, and fails at once
 * when the unit stops.
 */
export function waitForReplacementOperation(): Operation {
  const change = 'wait until the replacement has streamed its data (nodetool netstats: Mode NORMAL)';
  const due = async (context: OperationContext) =>
    (await dropInAddress(context)) !== undefined && (await mode(context)) !== 'NORMAL';
  return {
    kind: 'cassandra-replace-address',
    target: 'replacement',
    inputs: { waitForReplacement: true },
    async check(context) {
      return { changes: (await due(context)) ? [change] : [], notes: [] };
    },
    async apply(context) {
      if ((await dropInAddress(context)) === undefined) return { changes: [], notes: [] };
      const started = Date.now();
      let last = await mode(context);
      for (; last !== 'NORMAL'; last = await mode(context)) {
        if ((await context.host.exec(`systemctl is-active --quiet ${UNIT}`)).exitCode !== 0)
          throw new WireInstallError({
            what: `${context.host.name}: ${UNIT} stopped while the node replaced another`,
            next: `journalctl -u ${UNIT} -n 50; a replacement that failed needs its data directory emptied before it starts again`,
          });
        if (Date.now() - started > REPLACE_TIMEOUT_MS)
          throw new WireInstallError({
            what: `${context.host.name}: the replacement is not done after 12 h (Mode ${last ?? 'not shown'})`,
            next: 'nodetool netstats shows the streams; run apply again once it is NORMAL',
          });
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      return { changes: Date.now() - started > 2_000 ? [change] : [], notes: [] };
    },
  };
}

/** After the node is UN: the drop-in goes (Cassandra ignores it after the first boot; nothing should read it later). */
export function removeReplaceDropInOperation(): Operation {
  const change = `remove ${REPLACE_DROP_IN} (the node has replaced the old one)`;
  return {
    kind: 'cassandra-replace-address',
    target: REPLACE_DROP_IN,
    inputs: { removeDropIn: REPLACE_DROP_IN },
    async check(context) {
      return { changes: (await dropInAddress(context)) !== undefined ? [change] : [], notes: [] };
    },
    async apply(context) {
      if ((await dropInAddress(context)) === undefined) return { changes: [], notes: [] };
      await runOrFail(
        context.host,
        `removing ${REPLACE_DROP_IN}`,
        `rm -f ${REPLACE_DROP_IN} && rmdir --ignore-fail-on-non-empty ${REPLACE_DROP_IN_DIR} && systemctl daemon-reload`,
      );
      return { changes: [change], notes: [] };
    },
  };
}
