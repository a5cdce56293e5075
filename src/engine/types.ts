import type { HostFacts } from '../hosts/facts.js';
import type { Operation } from '../operations/types.js';

/**
 * What the engine runs: stages of steps, each step a list of idempotent operations per host.
 * The steps are built from the inventory before anything is contacted (src/steps gives Wire's,
 * tests and benchmarks give their own); the engine does not know what a step is for.
 */

export interface StepHost {
  /** Inventory name (ADMIN_HOST for admin steps). */
  name: string;
  facts: HostFacts;
  /** Every connected host's facts, for checks across hosts (unique hostnames, clock skew). */
  allFacts: ReadonlyMap<string, HostFacts>;
}

export interface EngineStep {
  /** `<stage>.<name>`: what --from, --only, --force and the state file use. */
  id: string;
  title: string;
  /** Inventory host names the step runs on, in inventory order; [ADMIN_HOST] for admin steps. */
  hosts: readonly string[];
  /** Runs once on the admin host (wire-install's own machine: helm, kubectl, checks). */
  admin?: boolean;
  /**
   * Why the step cannot run (it has no operations yet, or needs a file that is missing): a run
   * that selects it is refused before any host is contacted, with this reason.
   */
  unavailable?: string;
  /** `serial`: one host at a time, in order (rolling); `parallel` (default): up to --concurrency. */
  order?: 'parallel' | 'serial';
  /**
   * Work on the admin host before any host is contacted (the bundle check): runs when the step
   * is selected, and a failure stops the run there.
   */
  beforeConnect?: () => Promise<void>;
  /** A check (preflight): never skipped by its checkpoint, it looks at the hosts on every run. */
  alwaysRun?: boolean;
  /** Moves large files: runs under the lower upload concurrency limit. */
  upload?: boolean;
  /** The operations on one host, in order. Built from its facts; never contacts the host itself. */
  operations(host: StepHost): Operation[];
}

export interface EngineStage {
  id: string;
  title: string;
  steps: readonly EngineStep[];
}

/** How one step ended on one host. */
export type StepStatus =
  /** Succeeded before with the same fingerprint: not looked at again. */
  | 'current'
  /** Ran, and found nothing to change. */
  | 'unchanged'
  /** Ran and changed something. */
  | 'changed'
  /** --plan: would change something. */
  | 'would-change'
  | 'failed';

/** What --from, --only and --force select. */
export interface StepSelection {
  /** Start at this step (or stage); earlier steps are not run. */
  from?: string;
  /** Run only this step or stage. */
  only?: string;
  /** Run this step (or stage) even where its checkpoint is current. */
  force?: string;
}
