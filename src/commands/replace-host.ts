import type { Command } from 'commander';
import { inputError } from '../core/errors.js';
import type { ReplaceHostFlags } from '../remove-host/run-replace-host.js';
import { parseRemoveHostFlags } from './remove-host.js';
import type { CliContext } from './types.js';

export function configure(command: Command): void {
  command
    .argument('<old>', 'the inventory name of the host to replace')
    .requiredOption(
      '--with <new>',
      'the inventory name of the host that takes its place (add it to inventory.yaml first)',
    )
    .option('-i, --inventory <file>', 'inventory file', 'inventory.yaml')
    .option('--secrets <file>', 'secrets file (default: secrets.yaml beside the inventory)')
    .option('--plan', 'ask the hosts and show what would be done (or why it is refused); change nothing')
    .option('--confirm <old>', 'the typed confirmation, for scripts: the old host name again')
    .option(
      '--only <steps>',
      "apply's steps and stages that install the new host, as apply --only takes them (default: all)",
    )
    .option(
      '--allow-unsupported-os',
      "preflight of the new host: go on with an OS other than Ubuntu 22.04/24.04 (as apply's)",
    )
    .option('--allow-undersized', "preflight of the new host: go on below Wire's sizing (as apply's)")
    .option('--concurrency <n>', 'hosts worked on at once', '20')
    .option('--strict-host-keys', 'refuse hosts whose key is not in known_hosts (no trust on first use)')
    .addHelpText(
      'after',
      `
Puts a new host in the place of an old one (a failed disk, a machine retired), role by
role, in a safe order. First add the new host to inventory.yaml with the old one's
roles; then replace-host asks every host (the old one may be switched off), shows the
plan, and needs the old name typed (or --confirm OLD) before it changes anything.

  1. PostgreSQL: when OLD is the primary (and gone), the standby with the most WAL is
     promoted first, as remove-host does.
  2. NEW is installed by apply's steps on the inventory without OLD: it joins the
     Kubernetes cluster, streams from the PostgreSQL primary, joins RabbitMQ, and joins
     the Cassandra ring. When OLD does not answer, NEW takes over OLD's tokens
     (replace_address_first_boot) instead of bootstrapping beside a dead node.
  3. OLD is taken out as remove-host does it: drained and reset (Kubernetes),
     decommissioned (Cassandra, when it answers), forgotten (RabbitMQ).
  4. The health checks, then the records: inventory.yaml (comments kept), state.json and
     known_hosts no longer name OLD.

Refused, with the reason and nothing changed (exit 2): NEW missing from the inventory,
with other roles than OLD, or not answering; and everything remove-host refuses for OLD,
counted with NEW in place (MinIO and the asset host are replaced under the same name and
address instead: apply installs a rebuilt host again).

Exit codes: 0 done, 1 failed (run it again: what was done is not done twice), 2 refused
or bad input.

Examples:
  wire-install replace-host datanode3 --with datanode4 --plan   # datanode4 added to inventory.yaml first
  wire-install replace-host kubenode3 --with kubenode4 -i inventory.yaml   # asks for the name
  wire-install replace-host datanode2 --with datanode4 --confirm datanode2 --only databases --json`,
    );
}

export function parseReplaceHostFlags(options: Record<string, unknown>, host: string): ReplaceHostFlags {
  const replacement = String(options.with ?? '').trim();
  if (!replacement)
    throw inputError({ what: '--with names no host', next: 'give the new host as inventory.yaml names it' });
  return {
    ...parseRemoveHostFlags(options, host),
    replacement,
    ...(options.only !== undefined ? { only: String(options.only) } : {}),
    allowUnsupportedOs: Boolean(options.allowUnsupportedOs),
    allowUndersized: Boolean(options.allowUndersized),
  };
}

export async function run(
  options: Record<string, unknown>,
  context: CliContext,
  args: string[],
): Promise<number> {
  const flags = parseReplaceHostFlags(options, String(args[0] ?? ''));
  const { runReplaceHost } = await import('../remove-host/run-replace-host.js');
  return runReplaceHost(flags, context);
}
