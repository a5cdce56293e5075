import type { Command } from 'commander';
import { optionalText } from '../core/flag-values.js';
import type { UpgradeFlags } from '../upgrade/types.js';
import { parseEngineRunFlags } from './engine-run-flags.js';
import type { CliContext } from './types.js';

/** `wire-install upgrade`: moves an installation to the new bundle's Wire version, with backups and a way back. */
export function configure(command: Command): void {
  command
    .option('-i, --inventory <file>', 'inventory file', 'inventory.yaml')
    .option('--bundle <dir>', 'the unpacked offline bundle of the target version (a new folder)')
    .option('--plan', 'show the versions and every step without changing anything')
    .option(
      '--offline',
      'with --plan: the versions and the steps from local files alone, contacting no host or cluster',
    )
    .option(
      '--confirm-actions',
      'the actions to do by hand (listed in the plan) are done: go ahead without asking',
    )
    .option('--secrets <file>', 'secrets file (default: secrets.yaml beside the inventory)')
    .option('--from <step>', 'start at this step or stage (earlier ones are not run)')
    .option('--only <step>', 'run only this step or stage')
    .option('--force <step>', 'run this step or stage even where its checkpoint is current')
    .option('--concurrency <n>', 'hosts worked on at once', '20')
    .option('--upload-concurrency <n>', 'hosts receiving large uploads at once', '4')
    .option(
      '--helm-timeout <duration>',
      'how long each chart upgrade and rollback may take (helm --timeout)',
      '15m',
    )
    .option('--strict-host-keys', 'refuse hosts whose key is not in known_hosts (no trust on first use)')
    .option(
      '--allow-unsupported-os',
      'pre-checks: go on with an OS other than Ubuntu 22.04/24.04 (always shown)',
    )
    .option('--allow-undersized', "pre-checks: go on with hosts below Wire's sizing (always shown)")
    .option(
      '--dns-server <address>',
      "the DNS server asked for Wire's names (default: this machine's resolver)",
    )
    .addHelpText(
      'after',
      `
Reads the installed wire-server version (the state, and the cluster when there is one) and the
bundle's, then lists every version in between: those Wire declared broken are skipped (5.29;
5.26 with federation), a broken target is refused (exit 2), and each version's changes are
shown as automatic (wire-install makes them) or actions to do by hand, which you confirm (or
pass --confirm-actions). docs/upgrade.md has the table.

Then, on apply's engine (checkpoints, lock, debug log, --plan): pre-checks (hosts, disk for
the new bundle, Cassandra/Elasticsearch/PostgreSQL/RabbitMQ healthy, nodes Ready), backups
(installation files, Cassandra snapshots, PostgreSQL dump, RabbitMQ definitions; recorded in
.wire-install/backups/<id>/manifest.json; docs/restore.md), the new bundle re-seeded, the
charts upgraded in Wire's upgrade order with the migrations watched, then verify.

A failure among the chart upgrades rolls back the releases this run upgraded, in reverse
order, and says what cannot be rolled back (schema migrations are forward-only). A failure
before them changed nothing; one after them (migrations, verify) rolls nothing back: the
release and schema are new, fix what it names. Run the same upgrade again to resume.
After success, point bundle.path in the inventory at the new bundle.

Exit codes: 0 done (or nothing to upgrade), 1 failed (what was rolled back is reported), 2 bad input
or a refused version, 130 interrupted (run again to resume).

Examples:
  wire-install upgrade --bundle ../wire-server-deploy-static-NEW --plan --offline
  wire-install upgrade --bundle ../wire-server-deploy-static-NEW --plan
  wire-install upgrade --bundle ../wire-server-deploy-static-NEW
  wire-install upgrade --bundle ../wire-server-deploy-static-NEW --confirm-actions --json`,
    );
}

/** commander's options -> UpgradeFlags, each value checked (bad input, exit 2, before anything is read). */
export function parseUpgradeFlags(options: Record<string, unknown>): UpgradeFlags {
  return {
    ...parseEngineRunFlags(options),
    bundle: optionalText(options.bundle),
    offline: Boolean(options.offline),
    confirmActions: Boolean(options.confirmActions),
  };
}

export async function run(options: Record<string, unknown>, context: CliContext): Promise<number> {
  const flags = parseUpgradeFlags(options);
  const { runUpgrade } = await import('../upgrade/run-upgrade.js');
  return runUpgrade(flags, context);
}
