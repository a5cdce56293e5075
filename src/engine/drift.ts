import type { HostFacts } from '../hosts/facts.js';
import type { RemoteHost } from '../hosts/types.js';
import type { OperationContext } from '../operations/types.js';
import type { StateStore } from '../state/store.js';
import { stepFingerprint } from './run-steps.js';
import type { EngineStage } from './types.js';

/**
 * The drift check (doctor's drift group): every step that succeeded on a host with the inputs it
 * has now is checked again there, its checkpoint ignored, changing nothing. What a check would
 * change was changed behind wire-install's back since the step ran: drift. The same operations'
 * `check` as `apply --plan --check-drift`, so doctor and the plan agree.
 */

export type DriftVerdict =
  /** Checked: the host is as the step left it. */
  | 'in-sync'
  /** Checked: the host differs from what the step made (the changes say how). */
  | 'drift'
  /** The inventory or the bundle changed since the step ran here: apply runs it again anyway. */
  | 'inputs-changed'
  /** The check itself failed (the error says why). */
  | 'cannot-check';

export interface DriftEntry {
  step: string;
  host: string;
  verdict: DriftVerdict;
  changes: string[];
  error?: string;
}

export interface DriftOptions {
  stages: readonly EngineStage[];
  hosts: ReadonlyMap<string, RemoteHost>;
  facts: ReadonlyMap<string, HostFacts>;
  state: StateStore;
  /** Hosts checked at once; a host's steps are checked one after another, in run order. */
  concurrency: number;
  /** Hosts left out (rebuilt or replaced: none of their checkpoints describes them). */
  skipHosts?: ReadonlySet<string>;
}

export async function checkDrift(options: DriftOptions): Promise<DriftEntry[]> {
  // Checks re-run every apply anyway (alwaysRun), and steps that cannot run here, are not drift.
  const steps = options.stages.flatMap((stage) =>
    stage.steps.filter((step) => !step.alwaysRun && !step.admin && !step.unavailable),
  );
  const hostNames = [...options.hosts.keys()].filter((name) => !options.skipHosts?.has(name));
  const perHost = new Map<string, DriftEntry[]>();
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < hostNames.length; index = next++) {
      const name = hostNames[index] as string;
      perHost.set(name, await checkHost(name, steps, options));
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, hostNames.length)) }, worker),
  );
  // In run order per step, then inventory order of hosts: the report reads like the plan.
  return steps.flatMap((step) =>
    hostNames.flatMap((host) => (perHost.get(host) ?? []).filter((entry) => entry.step === step.id)),
  );
}

async function checkHost(
  hostName: string,
  steps: readonly EngineStage['steps'][number][],
  options: DriftOptions,
): Promise<DriftEntry[]> {
  const host = options.hosts.get(hostName);
  const facts = options.facts.get(hostName);
  if (!host || !facts) return [];
  const entries: DriftEntry[] = [];
  for (const step of steps) {
    if (!step.hosts.includes(hostName)) continue;
    const record = options.state.get(step.id, hostName);
    // Never run here, or failed: not installed yet, which the plan shows; not drift.
    if (record?.status !== 'succeeded') continue;
    const entry = { step: step.id, host: hostName };
    try {
      const operations = step.operations({ name: hostName, facts, allFacts: options.facts });
      if (stepFingerprint(step, operations) !== record.fingerprint) {
        entries.push({ ...entry, verdict: 'inputs-changed', changes: [] });
        continue;
      }
      const context: OperationContext = { host, facts, changedPaths: new Set() };
      const changes: string[] = [];
      for (const operation of operations) changes.push(...(await operation.check(context)).changes);
      entries.push({ ...entry, verdict: changes.length > 0 ? 'drift' : 'in-sync', changes });
    } catch (error) {
      entries.push({
        ...entry,
        verdict: 'cannot-check',
        changes: [],
        error: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '',
      });
    }
  }
  return entries;
}
