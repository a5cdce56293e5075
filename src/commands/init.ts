import { type Command, Option } from 'commander';
import { INIT_FLAGS, type InitFlags } from '../init/flag-specs.js';
import { HOST_SPEC_EXAMPLE, HOST_SPEC_KEYS } from '../init/host-spec.js';
import type { CliContext } from './types.js';

/**
 * `wire-install init`: the wizard that writes inventory.yaml and secrets.yaml. Every question
 * has a flag (src/init/flag-specs.ts), so `--non-interactive` does the same from a script.
 */

const HELP = `
At a terminal, init asks its questions; flags given are taken as answers and not asked again.
With --non-interactive it asks nothing: every required answer must come from flags or --answers,
and a missing one exits 2 naming its flag. Without a terminal, --non-interactive is required.

Required with --non-interactive: --mode, --domain, --certificates, and the hosts;
  bring-your-own also needs --cert-chain and --cert-key, cert-manager needs --cert-email.

Hosts: --host is repeatable, one host each, as comma-separated key=value pairs:
  --host ${HOST_SPEC_EXAMPLE}
  keys: ${HOST_SPEC_KEYS.join(', ')}
  roles are joined with "+"; memory and disk are in GiB; roles are required in production
  (in demo mode the one host's roles follow from the calling answers).
  Or a suggested layout: --layout production --addresses A1,A2,... (7 addresses, in order:
  kubenode1-3, datanode1-3, assethost).

Answers file (--answers FILE): a YAML mapping with the flags' names in camelCase, e.g.
  mode: demo
  domain: wire.example.com
  certificates: self-signed
  sshUser: wire
  hosts:
    - { name: wire, address: 192.168.122.10, cpus: 16, memory: 24, disk: 250 }
A host may also be a --host string (- ${HOST_SPEC_EXAMPLE}); a production file
lists every host with its roles, as the production --host example below does.
Flags on the command line win over the file.

Files: the inventory is written atomically and never replaced without --force (or a "yes" at
the prompt). secrets.yaml (mode 0600) is generated once and kept on every later run; its
values are never printed.

Exit codes: 0 written, 2 bad or missing answers (nothing written), 130 interrupted (nothing written).

Examples:
  wire-install init
  wire-install init --non-interactive --mode demo --domain wire.example.com \\
      --certificates self-signed --host name=wire,address=192.168.122.10,cpus=16,memory=24,disk=250
  wire-install init --non-interactive --mode production --domain wire.example.com \\
      --certificates cert-manager --cert-email certmaster@example.com --ssh-user wire --sudo passwordless \\
      --host name=kubenode1,address=192.168.122.21,roles=kube-control-plane+kube-worker \\
      --host name=kubenode2,address=192.168.122.22,roles=kube-control-plane+kube-worker+sftd \\
      --host name=kubenode3,address=192.168.122.23,roles=kube-control-plane+kube-worker+coturn \\
      --host name=datanode1,address=192.168.122.31,roles=cassandra+elasticsearch+minio+postgresql+rabbitmq \\
      --host name=datanode2,address=192.168.122.32,roles=cassandra+elasticsearch+minio+postgresql+rabbitmq \\
      --host name=datanode3,address=192.168.122.33,roles=cassandra+elasticsearch+minio+postgresql+rabbitmq \\
      --host name=assethost,address=192.168.122.10,roles=assethost --sft --sft-participants 100
  wire-install init --non-interactive --mode production --domain wire.example.com --certificates self-signed \\
      --layout production --addresses 192.168.122.21,192.168.122.22,192.168.122.23,192.168.122.31,192.168.122.32,192.168.122.33,192.168.122.10
  wire-install init --non-interactive --answers answers.yaml --force`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function configure(command: Command): void {
  command
    .option('-i, --inventory <file>', 'inventory file to write', 'inventory.yaml')
    .option('--secrets <file>', 'secrets file (default: secrets.yaml beside the inventory)')
    .option('--non-interactive', 'ask nothing: every answer comes from flags or --answers')
    .option('--answers <file>', 'YAML file with the answers, keyed like the flags (see below)')
    .option('--force', 'replace an existing inventory (the secrets file is always kept)');
  for (const spec of INIT_FLAGS) {
    command.option(spec.flags, spec.description);
    // The --no- form is named in the description; listing it again only lengthens --help.
    if (spec.kind === 'boolean') command.addOption(new Option(`--no-${spec.flags.slice(2)}`).hideHelp());
  }
  command.option(
    '--host <spec>',
    'a host, repeatable: name=...,address=...,roles=a+b (see "Hosts" below)',
    collect,
  );
  command.addHelpText('after', HELP);
}

/**
 * commander's options -> InitFlags. The answers are checked where the answers file's are
 * (src/init/flags.ts, after the file is read), so a refusal names the flag or the file's key.
 */
export function parseInitFlags(options: Record<string, unknown>): InitFlags {
  const given: Record<string, string | boolean> = {};
  for (const spec of INIT_FLAGS) {
    const value = options[spec.key];
    if (value !== undefined && value !== null)
      given[spec.key] = typeof value === 'boolean' ? value : String(value);
  }
  const hosts = options.host;
  return {
    inventory: typeof options.inventory === 'string' ? options.inventory : 'inventory.yaml',
    secrets: typeof options.secrets === 'string' ? options.secrets : undefined,
    nonInteractive: Boolean(options.nonInteractive),
    answers: typeof options.answers === 'string' ? options.answers : undefined,
    force: Boolean(options.force),
    given,
    hosts: Array.isArray(hosts)
      ? hosts.map(String)
      : hosts === undefined || hosts === null
        ? []
        : [String(hosts)],
  };
}

export async function run(options: Record<string, unknown>, context: CliContext): Promise<number> {
  const flags = parseInitFlags(options);
  // Loaded when init runs, not for --help: it pulls in the rules, the secrets and the prompts.
  const { runInit } = await import('../init/run-init.js');
  return runInit(flags, context);
}
