import type { Command } from 'commander';
import { optionalText, positiveInteger } from '../core/flag-values.js';
import { type DoctorFlags, selectGroups } from '../doctor/types.js';
import type { CliContext } from './types.js';

/** `wire-install doctor`: diagnoses an installation before and after apply; exit 3 when a check fails. */
export function configure(command: Command): void {
  command
    .option('-i, --inventory <file>', 'inventory file', 'inventory.yaml')
    .option('--secrets <file>', 'secrets file (default: secrets.yaml beside the inventory)')
    .option(
      '--only <groups>',
      'run only these groups: local, hosts, network, dns, certs, cluster, databases, drift',
    )
    .option('--dns-server <address>', 'ask this DNS server (address[:port]) instead of the system resolver')
    .option('--allow-unsupported-os', 'report an unsupported OS as a warning, not a failure')
    .option('--allow-undersized', "report hosts below Wire's sizing as a warning, not a failure")
    .option('--concurrency <n>', 'hosts connected to at once', '20')
    .option(
      '--support-bundle <file>',
      'also write a .tar.gz for support: the report, host facts, state, recent logs, journals, pod logs; secrets redacted',
    )
    .addHelpText(
      'after',
      `
Runs every check that applies to the installation as it is now (the state file says what
apply has done): before the first apply the admin host, the hosts, the network between roles,
DNS and certificates; after it also the cluster and the databases. Every result is PASS, WARN,
FAIL or SKIP (with the reason), with what was measured and, for problems, the fix.
doctor changes nothing on the hosts or in the cluster and takes no lock.

Groups (--only): local (tools, inventory, secrets.yaml, bundle), hosts (reachable, host key,
sudo, OS, hardware, time sync, clock skew, hostnames, apt sources), network (the ports between
roles, probed from the hosts that need them), dns (Wire's names, SPF, federation SRV), certs
(the files, and the certificate served for each name), cluster (nodes, pods, hook jobs,
coturn, /status), databases (Cassandra, Elasticsearch, MinIO, PostgreSQL, RabbitMQ).

Exit codes: 0 nothing failed (warnings allowed), 3 a check failed, 2 bad input, 1 doctor
itself failed. --json prints one JSON document (docs/doctor.md describes its shape).

Examples:
  wire-install doctor -i inventory.yaml
  wire-install doctor --only dns,certs --dns-server 192.168.122.1
  wire-install doctor --json | jq '.results[] | select(.status == "fail")'
  wire-install doctor --support-bundle wire-support.tar.gz`,
    );
}

/** commander's options -> DoctorFlags, each value checked: a typo in --only is bad input before anything is read or contacted. */
export function parseDoctorFlags(options: Record<string, unknown>): DoctorFlags {
  const only = optionalText(options.only);
  selectGroups(only);
  return {
    inventory: String(options.inventory),
    secrets: optionalText(options.secrets),
    only,
    dnsServer: optionalText(options.dnsServer),
    allowUnsupportedOs: Boolean(options.allowUnsupportedOs),
    allowUndersized: Boolean(options.allowUndersized),
    concurrency: positiveInteger('concurrency', options.concurrency),
    supportBundle: optionalText(options.supportBundle),
  };
}

export async function run(options: Record<string, unknown>, context: CliContext): Promise<number> {
  const flags = parseDoctorFlags(options);
  const { runDoctor } = await import('../doctor/run-doctor.js');
  return runDoctor(flags, context);
}
