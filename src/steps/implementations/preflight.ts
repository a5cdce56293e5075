import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import type { StepHost } from '../../engine/types.js';
import type { HostFacts } from '../../hosts/facts.js';
import type { Inventory } from '../../inventory/defaults.js';
import { findingsCheck } from '../../operations/findings-check.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { runOrFail } from '../../operations/run.js';
import type { Operation, OperationOutcome } from '../../operations/types.js';
import { checkAdminTools } from '../../preflight/admin-tools.js';
import { bundleSizes, checkArtifactDisk } from '../../preflight/artifact-disk.js';
import { checkDns, resolverLookup } from '../../preflight/dns.js';
import { checkExistingCluster } from '../../preflight/existing-cluster.js';
import { checkHostFacts, type PreflightOptions } from '../../preflight/host-checks.js';
import { checkSecretsFile } from '../../preflight/secrets-file.js';
import type { Finding } from '../../rules/finding.js';
import { describeChoices } from '../../tools/admin-tools.js';
import { BUNDLE_TARS } from '../../wire/assets.js';
import type { WireStageOptions } from './types.js';

/**
 * Preflight on the hosts: SSH and sudo (connecting already verified the host key), then the
 * measured facts against Wire's rules. Checks only: nothing is changed, and they run on every
 * apply.
 */
export function sshCheck(): Operation {
  const run = async (context: Parameters<Operation['check']>[0]) => {
    const result = await runOrFail(context.host, 'checking root through sudo', 'id -u');
    if (result.stdout.trim() !== '0') {
      const finding: Finding = {
        severity: 'error',
        rule: 'preflight.root',
        host: context.host.name,
        message: `${context.host.name}: commands run as uid ${result.stdout.trim()}, not root`,
        fix: 'set ssh.become.enabled: true (sudo) or log in as root',
      };
      return findingsCheck('preflight.ssh', () => [finding]).check(context);
    }
    return { changes: [], notes: [] };
  };
  return { kind: 'check', target: 'ssh and sudo', inputs: { check: 'ssh' }, check: run, apply: run };
}

export function hostFactsCheck(
  inventory: Inventory,
  host: StepHost,
  options: PreflightOptions & Pick<WireStageOptions, 'bundleRoot'>,
): Operation {
  const inventoryHost = inventory.hosts.find((candidate) => candidate.name === host.name);
  // Only the inventory's hosts are compared (the admin host has facts too, for admin steps).
  const others = new Map<string, HostFacts>(
    [...host.allFacts].filter(([name]) => inventory.hosts.some((candidate) => candidate.name === name)),
  );
  const sizes = options.bundleRoot ? bundleSizes(options.bundleRoot, BUNDLE_TARS) : {};
  return findingsCheck('preflight', () =>
    inventoryHost
      ? [
          ...checkHostFacts(inventory, inventoryHost, host.facts, others, options),
          ...checkArtifactDisk(inventory, inventoryHost, host.facts, sizes),
          ...checkInstallation(inventory, inventoryHost.name, host.facts),
        ]
      : [],
  );
}

/**
 * helm and kubectl on the admin host: the copies the run chose (src/tools/admin-tools.ts: the
 * release's helm, the bundle's kubectl, or PATH's) are named in the notes, then checked.
 */
export const adminToolsCheck = (options: Pick<WireStageOptions, 'adminTools'> = {}): Operation => {
  const check = remoteCheck('helm and kubectl', (context) =>
    checkAdminTools(context.host, { helm: 'helm', kubectl: 'kubectl' }),
  );
  const named = async (outcome: Promise<OperationOutcome>): Promise<OperationOutcome> => {
    const result = await outcome;
    return { ...result, notes: [...describeChoices(options.adminTools?.choices ?? []), ...result.notes] };
  };
  return {
    ...check,
    check: (context) => named(check.check(context)),
    apply: (context) => named(check.apply(context)),
  };
};

export const secretsCheck = (options: Pick<WireStageOptions, 'secrets' | 'secretsPath'>): Operation =>
  remoteCheck('secrets.yaml', () => checkSecretsFile(options.secretsPath, options.secrets));

export const dnsCheck = (inventory: Inventory, options: Pick<WireStageOptions, 'dnsServer'>): Operation =>
  remoteCheck("Wire's DNS names", () =>
    checkDns(inventory, resolverLookup(options.dnsServer), options.dnsServer),
  );

/** A host marked by bootstrap-host as part of another installation (another domain). */
export function checkInstallation(inventory: Inventory, hostName: string, facts: HostFacts): Finding[] {
  if (facts.installedBy === undefined || facts.installedBy === inventory.domain) return [];
  return [
    {
      severity: 'error',
      rule: 'preflight.other-installation',
      host: hostName,
      message: `${hostName} belongs to another Wire installation; changing it could break that one`,
      measured: `/etc/wire-install/installed-by says ${facts.installedBy}`,
      required: inventory.domain,
      fix: `check the address of ${hostName} in the inventory; if the host is really free, remove /etc/wire-install/installed-by on it`,
    },
  ];
}

/** kubernetes: existing: the given cluster answers, is recent enough, and its nodes are Ready. */
export const existingClusterCheck = (
  inventory: Inventory,
  options: Pick<WireStageOptions, 'inventoryDir'>,
): Operation =>
  remoteCheck('the existing cluster', (context) =>
    checkExistingCluster(
      context.host,
      adminKubeconfigPath(inventory, options.inventoryDir),
      inventory.kubernetes.context,
    ),
  );
