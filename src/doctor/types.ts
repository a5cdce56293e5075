import { inputError } from '../core/errors.js';
import type { HostFacts } from '../hosts/facts.js';
import type { RemoteHost } from '../hosts/types.js';
import type { Inventory } from '../inventory/defaults.js';
import type { PreflightOptions } from '../preflight/host-checks.js';
import type { WireSecrets } from '../secrets/generate.js';
import type { StepId } from '../steps/registry.js';
import type { ToolChoice } from '../tools/admin-tools.js';

/**
 * doctor's model: checks return results as data (this file); a reporter renders them
 * (report.ts: a grouped table on a terminal, `--json` for scripts and support). A check never
 * changes anything on a host or in the cluster.
 */

/** The groups `doctor --only` selects, in the order the report shows them. */
export const DOCTOR_GROUPS = [
  'local',
  'hosts',
  'network',
  'dns',
  'certs',
  'cluster',
  'databases',
  'drift',
] as const;
export type DoctorGroup = (typeof DOCTOR_GROUPS)[number];

/** --only's groups, checked: an unknown or empty one is bad input (exit 2). None given: every group. */
export function selectGroups(only: string | undefined): DoctorGroup[] {
  if (only === undefined) return [...DOCTOR_GROUPS];
  const asked = only
    .split(',')
    .map((group) => group.trim())
    .filter((group) => group !== '');
  const unknown = asked.filter((group) => !(DOCTOR_GROUPS as readonly string[]).includes(group));
  if (unknown.length > 0 || asked.length === 0)
    throw inputError({
      what: `--only ${only}: ${unknown.length > 0 ? `unknown group ${unknown.join(', ')}` : 'no group named'}`,
      evidence: [`groups: ${DOCTOR_GROUPS.join(', ')}`],
      next: 'name one or more groups, comma-separated, e.g. --only dns,certs',
    });
  return DOCTOR_GROUPS.filter((group) => asked.includes(group));
}

/** `wire-install doctor`'s flags, parsed and checked once by the command (src/commands/doctor.ts). */
export interface DoctorFlags {
  /** -i: the inventory file, as given. */
  inventory: string;
  /** --secrets; absent: secrets.yaml beside the inventory. */
  secrets?: string;
  /** --only: comma-separated groups (selectGroups accepted them). */
  only?: string;
  /** --dns-server: address[:port]. */
  dnsServer?: string;
  allowUnsupportedOs: boolean;
  allowUndersized: boolean;
  /** --concurrency, 1 to 500. */
  concurrency: number;
  /** --support-bundle FILE. */
  supportBundle?: string;
}

export type DoctorStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One result: what was checked (on which host), what was found, what was measured, what to do. */
export interface DoctorResult {
  /** Stable id of the check, `<group>.<name>` (docs/doctor.md lists them). */
  check: string;
  group: DoctorGroup;
  status: DoctorStatus;
  /** The host it is about (an inventory name, or "admin host"); absent for installation-wide results. */
  host?: string;
  /** One sentence: what is true (pass) or wrong (warn, fail), or why it was not checked (skip). */
  summary: string;
  /** What was measured or read, one line each (never a secret value). */
  evidence: string[];
  /** What to do; required for warn and fail. */
  fix?: string;
}

/** What every check reads. Hosts are connected once by the runner, before the checks run. */
export interface DoctorContext {
  inventory: Inventory;
  /** The folder of inventory.yaml (relative paths in it resolve here; .wire-install/ is here). */
  inventoryDir: string;
  inventoryFile: string;
  /** secrets.yaml, when it exists and is valid (local.secrets reports it when not). */
  secrets: WireSecrets | undefined;
  secretsPath: string;
  /** Why secrets.yaml could not be loaded (not YAML, keys missing), when it exists but is unusable. */
  secretsError?: string | undefined;
  /** The lines under secretsError: file:line:column, the key and the rule it breaks (no value). */
  secretsErrorEvidence?: readonly string[];
  /** Keys secrets.yaml lacks that this version needs (apply adds them; doctor only reads). */
  secretsMissingKeys?: readonly string[];
  /** Every value the runner hides (secrets.yaml's, even when it does not load; the ingress keys). */
  hiddenValues?: readonly string[];
  /** The DNS server to ask (`--dns-server`), or undefined for the system resolver. */
  dnsServer: string | undefined;
  /** The bundle folder, when the inventory names one. */
  bundleRoot: string | undefined;
  /** The admin host (this machine): helm, kubectl, TLS and DNS probes run here. */
  admin: RemoteHost;
  /** Which helm and kubectl the admin host's commands use, and where each came from (src/tools). */
  adminTools?: readonly ToolChoice[];
  /** Connected inventory hosts by name (only when a selected check needs hosts). */
  hosts: ReadonlyMap<string, RemoteHost>;
  facts: ReadonlyMap<string, HostFacts>;
  /** Inventory hosts that could not be reached, with the reason (hosts.reachable reports them). */
  unreachable: ReadonlyMap<string, string>;
  /** Hosts whose key was in no known_hosts file and was trusted on first use in this run: name -> SHA256 fingerprint. */
  newHostKeys: ReadonlyMap<string, string>;
  /** `--allow-unsupported-os` / `--allow-undersized`: what they allow is a warn, not a fail (as in preflight). */
  preflight: PreflightOptions;
  /** What the installation's state says has been applied (.wire-install/state.json). */
  installed: InstalledState;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

/** Which stages the state file records as done on every host, to decide what applies. */
export interface InstalledState {
  /** Step ids that succeeded on every host they ran on, in the last runs. */
  succeededSteps: ReadonlySet<StepId>;
  /** The admin kubeconfig exists (a cluster to ask). */
  kubeconfig: string | undefined;
}

export interface DoctorCheck {
  id: string;
  group: DoctorGroup;
  /** What it checks, for --help and docs. */
  title: string;
  /** Whether it needs the inventory hosts connected (the runner connects only when one does). */
  needsHosts: boolean;
  /**
   * Undefined when the check applies to this installation now, else why not (shown as skip):
   * e.g. the cluster checks before the kubernetes stage ran, federation checks without federation.
   */
  skipReason(context: DoctorContext): string | undefined;
  run(context: DoctorContext): Promise<DoctorResult[]>;
}

/** What `doctor --json` prints: one JSON document (docs/doctor.md documents this shape; version bumps on a breaking change). */
export interface DoctorReport {
  version: 1;
  /** The inventory file doctor read. */
  inventory: string;
  domain: string;
  startedAt: string;
  durationMs: number;
  /** The groups that ran (all, or those of --only). */
  groups: DoctorGroup[];
  counts: Record<DoctorStatus, number>;
  results: DoctorResult[];
}
