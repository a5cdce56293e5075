import type { Command } from 'commander';
import { inputError } from '../core/errors.js';
import type { RemoveHostFlags } from '../remove-host/run-remove-host.js';
import type { CliContext } from './types.js';

export function configure(command: Command): void {
  command
    .argument('<host>', 'the inventory name of the host to take out')
    .option('-i, --inventory <file>', 'inventory file', 'inventory.yaml')
    .option('--secrets <file>', 'secrets file (default: secrets.yaml beside the inventory)')
    .option('--plan', 'ask the hosts and show what would be done (or why it is refused); change nothing')
    .option('--confirm <host>', 'the typed confirmation, for scripts: the same host name again')
    .option('--concurrency <n>', 'hosts worked on at once', '20')
    .option('--strict-host-keys', 'refuse hosts whose key is not in known_hosts (no trust on first use)')
    .addHelpText(
      'after',
      `
Takes a host out of the installation, role by role, in a safe order: it asks the
hosts first (the host itself may be switched off), shows the plan, and needs the host
name typed (or --confirm NAME) before it changes anything.

  kubernetes  drained while Ready (kubectl drain), kubeadm reset on the host when it
              answers (a control plane's etcd member goes with it; when the host is
              gone, etcdctl member remove through the first control plane's etcd
              pod), the node deleted.
  cassandra   decommissioned when it answers (its data streams to the nodes left),
              removed from the ring by nodetool removenode on a node that stays when not;
              the seed is made a plain node first (the next node becomes the seed in
              a rolling restart).
  postgresql  a standby: the primary stops accepting its replication. The primary, when
              it is gone: the standby that received the most WAL is promoted, the other
              standbys follow it, and wire-server's postgresql-external chart is applied
              again where it is installed.
  rabbitmq    the node's app is stopped if it answers, the others forget it.
  elasticsearch  its shards moved off first when it answers (allocation exclusion,
              then waiting until none is left), its service stopped; the nodes left
              are reconfigured without it and must be green.
  Afterwards inventory.yaml (comments kept), .wire-install/state.json and
  .wire-install/known_hosts no longer name the host.

Refused, with the reason and nothing changed (exit 2): the last PostgreSQL primary or
RabbitMQ node; a PostgreSQL primary that still runs; Cassandra below its replication
factor (3); a control plane whose removal loses etcd quorum; MinIO (a server cannot
leave its pool); and what is not built yet: the first control plane, the asset host
(docs/remove-host.md: by hand). To put a new host in the old one's place, use
replace-host, which installs the new host first.

Exit codes: 0 done, 1 failed (run it again: what was done is not done twice), 2 refused
or bad input.

Examples:
  wire-install remove-host datanode1 --plan -i inventory.yaml
  wire-install remove-host datanode1 -i inventory.yaml            # asks for the name
  wire-install remove-host datanode1 --confirm datanode1 --json   # scripts`,
    );
}

export function parseRemoveHostFlags(options: Record<string, unknown>, host: string): RemoveHostFlags {
  const concurrency = Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 500)
    throw inputError({
      what: `--concurrency ${String(options.concurrency)} is not a whole number from 1 to 500`,
    });
  return {
    inventory: String(options.inventory),
    ...(options.secrets ? { secrets: String(options.secrets) } : {}),
    host,
    plan: Boolean(options.plan),
    ...(options.confirm !== undefined ? { confirm: String(options.confirm) } : {}),
    strictHostKeys: Boolean(options.strictHostKeys),
    concurrency,
  };
}

export async function run(
  options: Record<string, unknown>,
  context: CliContext,
  args: string[],
): Promise<number> {
  const flags = parseRemoveHostFlags(options, String(args[0] ?? ''));
  const { runRemoveHost } = await import('../remove-host/run-remove-host.js');
  return runRemoveHost(flags, context);
}
