import type { Command } from 'commander';
import type { ApplyFlags } from '../apply/types.js';
import { inputError } from '../core/errors.js';
import { STAGES } from '../steps/stages.js';
import { parseEngineRunFlags } from './engine-run-flags.js';
import type { CliContext } from './types.js';

export function configure(command: Command): void {
  command
    .option('-i, --inventory <file>', 'inventory file', 'inventory.yaml')
    .option('--secrets <file>', 'secrets file (default: secrets.yaml beside the inventory)')
    .option('--plan', 'connect, gather facts and show per host what apply would change; change nothing')
    .option('--offline', 'with --plan: the stages and steps from the inventory alone, contacting no host')
    .option('--from <step>', 'start at this step or stage (earlier ones are not run)')
    .option('--only <step>', 'run only this step or stage')
    .option('--force <step>', 'run this step or stage even where its checkpoint is current')
    .option(
      '--check-drift',
      'check again the steps current by their checkpoint: --plan shows what changed on the hosts since, apply repairs it',
    )
    .option('--concurrency <n>', 'hosts worked on at once', '20')
    .option('--upload-concurrency <n>', 'hosts receiving large uploads at once', '4')
    .option('--helm-timeout <duration>', 'how long each chart may take to be ready (helm --timeout)', '15m')
    .option('--strict-host-keys', 'refuse hosts whose key is not in known_hosts (no trust on first use)')
    .option(
      '--allow-unsupported-os',
      'preflight: go on with an OS other than Ubuntu 22.04/24.04 (always shown)',
    )
    .option('--allow-undersized', "preflight: go on with hosts below Wire's sizing (always shown)")
    .option(
      '--dns-server <address>',
      "preflight: the DNS server asked for Wire's names (default: this machine's resolver), e.g. 10.0.0.2 or 127.0.0.1:5353",
    )
    .addHelpText(
      'after',
      `
apply runs the stages in order: ${STAGES.map((stage) => stage.id).join(', ')}.
It first loads the inventory and checks Wire's rules; any error stops it before anything
is contacted (exit 2). Then it connects once to every host, gathers facts, and runs each
step on the hosts its roles select, changing only what differs.

Checkpoints: after every step on every host, .wire-install/state.json (beside the
inventory) records how it ended and a fingerprint of its inputs. A step that succeeded
with the same inputs is skipped; after a failure or Ctrl-C, run apply again and it
resumes where it stopped. One run at a time: .wire-install/lock names the holder.
Every run writes .wire-install/logs/<run>.log (commands, hosts, exit codes; no secrets).

Drift: a host changed behind wire-install's back (a stopped service, an edited file)
is not seen through a current checkpoint. --check-drift checks those steps again:
with --plan it shows the drift per host and step, apply repairs it. A host rebuilt
under the same name (its machine-id changed) is always seen: its
checkpoints are forgotten and its steps run again.

Host keys: ~/.ssh/known_hosts first; an unknown host is trusted on first use, recorded
in .wire-install/known_hosts and shown; a changed key is always refused.

Status: every stage runs: the host side (preflight, assets, bootstrap-host, kubernetes,
databases) and the cluster side (values and certificates, one helm upgrade --install
--wait per chart with --helm-timeout, default 15m, the migrations watched, verify).
What this machine cannot run
(Kubernetes' API, the databases' binaries) is tested against stand-ins only.
Which runs contact hosts: --plan --offline never (the plan from the inventory alone,
--only/--from/--force applied to it); --plan connects and reads (facts, checks, helm's
state) but changes nothing; apply connects and changes.

Exit codes: 0 done, 1 failed (the host, step, command and output are shown), 2 bad
input, 130 interrupted (state saved; run again to resume).

Examples:
  wire-install apply --plan --offline --inventory inventory.example.yaml   # contacts no host
  wire-install apply --plan -i inventory.yaml          # connects: what would change, per host
  wire-install apply -i inventory.yaml                 # do it; re-run to resume
  wire-install apply --only bootstrap-host --force bootstrap-host.kernel-settings
  wire-install apply --plan --check-drift -i inventory.yaml   # what changed on the hosts since
  wire-install apply --json | jq 'select(.type == "step-finished")'`,
    );
}

/** commander's options -> ApplyFlags, each value checked (bad input, exit 2, before anything is read). */
export function parseApplyFlags(options: Record<string, unknown>): ApplyFlags {
  const flags = { ...parseEngineRunFlags(options), offline: Boolean(options.offline) };
  if (options.checkDrift && flags.offline)
    throw inputError({
      what: '--check-drift reads the hosts, and --offline contacts none',
      next: 'drop --offline: wire-install apply --plan --check-drift shows the drift, contacting the hosts',
    });
  return { ...flags, checkDrift: Boolean(options.checkDrift) };
}

export async function run(options: Record<string, unknown>, context: CliContext): Promise<number> {
  const flags = parseApplyFlags(options);
  // Imported here, not at the top: `apply --help` should not pay for zod, js-yaml and the engine.
  const { runApply } = await import('../apply/run-apply.js');
  return runApply(flags, context);
}
