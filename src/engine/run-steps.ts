import { WireInstallError } from '../core/errors.js';
import { fileSystemError } from '../core/fs-errors.js';
import type { HostFacts } from '../hosts/facts.js';
import { createLimiter } from '../hosts/limiter.js';
import { ADMIN_HOST } from '../hosts/local-host.js';
import { HostLostError } from '../hosts/ssh-errors.js';
import type { RemoteHost } from '../hosts/types.js';
import type { Operation, OperationContext } from '../operations/types.js';
import { fingerprint } from '../state/fingerprint.js';
import type { StateStore, StepRecord } from '../state/store.js';
import type { EmitEvent } from './events.js';
import { selectSteps } from './select.js';
import type { StateSpace } from './state-space.js';
import type { EngineStage, EngineStep, StepSelection, StepStatus } from './types.js';

/**
 * The engine's loop. Stages run in order, and within a stage the steps in order; a step runs
 * on its hosts at once (up to the concurrency limit, lower for uploads) or one at a time
 * (`serial`). Every step on every host is checkpointed: it is skipped when it succeeded before
 * with the same fingerprint, and recorded in the state file as soon as it ends.
 *
 * A failure on a host stops that host's remaining steps; the other hosts finish the step they
 * are on, and the run stops there, failed. A host whose connection is lost is such a failure
 * as soon as it is known, whether a step runs on it or not. An aborted signal (Ctrl-C) starts no
 * new work, lets running steps finish and be recorded, and ends the run as interrupted.
 *
 * A state file that cannot be written (a full disk) ends the run the same way: the other hosts
 * finish their step, recorded in the space kept for it (state-space.ts), then the run fails
 * with the path and what to do.
 */
export interface RunStepsOptions {
  mode: 'apply' | 'plan';
  stages: readonly EngineStage[];
  hosts: ReadonlyMap<string, RemoteHost>;
  facts: ReadonlyMap<string, HostFacts>;
  state: StateStore;
  runId: string;
  concurrency: number;
  uploadConcurrency: number;
  selection: StepSelection;
  signal: AbortSignal;
  emit: EmitEvent;
  /** Space kept for the state file (apply): freed to record the steps in flight when the disk fills. */
  stateSpace?: StateSpace;
  /**
   * --check-drift: a step current by its checkpoint is checked (plan) or applied (apply) all the
   * same, and one that finds something to change is reported as drift: the host was changed
   * behind wire-install's back since the step succeeded.
   */
  recheck?: boolean;
  /** Hosts rebuilt or replaced since the last apply (host-identity.ts): no checkpoint of theirs counts. */
  replacedHosts?: ReadonlySet<string>;
}

export interface StepFailure {
  host: string;
  step: string;
  error: unknown;
}

export interface RunStepsResult {
  status: 'succeeded' | 'failed' | 'interrupted';
  failures: StepFailure[];
  counts: Record<StepStatus, number>;
}

/** The fingerprint of a step on a host: its id and every operation's inputs. */
export function stepFingerprint(step: EngineStep, operations: readonly Operation[]): string {
  return fingerprint({
    step: step.id,
    operations: operations.map((op) => ({ kind: op.kind, target: op.target, inputs: op.inputs })),
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

export async function runSteps(options: RunStepsOptions): Promise<RunStepsResult> {
  try {
    return await stepsInOrder(options);
  } finally {
    await options.stateSpace?.release().catch(() => undefined);
  }
}

async function stepsInOrder(options: RunStepsOptions): Promise<RunStepsResult> {
  const counts: Record<StepStatus, number> = {
    current: 0,
    unchanged: 0,
    changed: 0,
    'would-change': 0,
    failed: 0,
  };
  const failures: StepFailure[] = [];
  const selected = new Map(selectSteps(options.stages, options.selection).map((s) => [s.stepId, s]));
  const limits = {
    hosts: createLimiter(Math.max(1, options.concurrency)),
    uploads: createLimiter(Math.max(1, Math.min(options.uploadConcurrency, options.concurrency))),
  };

  // Hosts that went away are named at once; one that had no step running fails the step the
  // run is on, so the others finish it and the run stops there.
  const lostHosts = new Map<string, unknown>();
  const running = new Set<string>();
  let currentStep: string | undefined;
  let ended = false;
  for (const [hostName, host] of options.hosts) {
    void host.lost?.then((error) => {
      if (ended) return;
      lostHosts.set(hostName, error);
      options.emit({ type: 'host-unreachable', host: hostName, error: firstLine(error) });
      if (!running.has(hostName) && currentStep !== undefined && !failures.some((f) => f.host === hostName))
        failures.push({ host: hostName, step: currentStep, error: idleLoss(error, currentStep) });
    });
  }

  // The state file could not be written: set once; no new step starts after it.
  let stateFailure: Error | undefined;
  const notRecorded: string[] = [];
  const record = async (step: string, host: string, entry: StepRecord): Promise<void> => {
    try {
      await options.state.record(step, host, entry);
      return;
    } catch (error) {
      stateFailure ??=
        fileSystemError(error, options.stateSpace?.statePath, 'writing the run state') ??
        (error instanceof Error ? error : new Error(String(error)));
    }
    // Every write carries the whole state: one that succeeds records every step before it too.
    // Each failed write tries once more after the space is given back (by whichever failed first).
    const freed = options.stateSpace
      ? await options.stateSpace.release().then(
          () => true,
          () => false,
        )
      : false;
    if (freed) {
      try {
        await options.state.record(step, host, entry);
        return;
      } catch {}
    }
    notRecorded.push(`${step} on ${host}`);
  };

  /** What a lost host means for a failed step: the loss, not what the command said as the host went down. */
  const whyFailed = async (hostName: string, error: unknown): Promise<unknown> => {
    // The command's own account of the loss (which command was cut off) says the most.
    if (error instanceof HostLostError) return error;
    const host = options.hosts.get(hostName);
    if (!host?.lost || lostHosts.has(hostName)) return lostHosts.get(hostName) ?? error;
    // A host shutting down fails the command first ("Job ... canceled") and closes the
    // connection a moment later: the step's failure waits that moment for the loss.
    let timer: NodeJS.Timeout | undefined;
    const lost = await Promise.race([
      host.lost,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), 2000);
      }),
    ]);
    clearTimeout(timer);
    if (lost === undefined) return error;
    if (!(lost instanceof WireInstallError)) return lost;
    return new WireInstallError(
      {
        what: `${lost.what}; the step failed as it went`,
        ...(lost.host ? { host: lost.host } : {}),
        evidence: [
          ...lost.evidence,
          `the step's failure: ${firstLine(error)}`,
          ...(error instanceof WireInstallError ? error.evidence : []),
        ],
        ...(lost.next ? { next: lost.next } : {}),
      },
      { cause: error },
    );
  };

  const runOnHost = async (step: EngineStep, hostName: string, forced: boolean): Promise<void> => {
    const host = options.hosts.get(hostName);
    const facts = options.facts.get(hostName);
    if (!host || !facts) throw new Error(`engine: host ${hostName} of step ${step.id} is not connected`);
    const started = performance.now();
    // Current by its checkpoint but checked again (--check-drift): changes found are drift.
    let wasCurrent = false;
    const finish = async (status: StepStatus, changes: string[], notes: string[], error?: unknown) => {
      counts[status] += 1;
      options.emit({
        type: 'step-finished',
        step: step.id,
        host: hostName,
        status,
        changes,
        notes,
        ms: Math.round(performance.now() - started),
        ...(error !== undefined ? { error: firstLine(error) } : {}),
        ...(wasCurrent && changes.length > 0 ? { drift: true } : {}),
      });
    };
    let operations: Operation[];
    let print: string;
    try {
      operations = step.operations({ name: hostName, facts, allFacts: options.facts });
      print = stepFingerprint(step, operations);
    } catch (error) {
      failures.push({ host: hostName, step: step.id, error });
      await finish('failed', [], [], error);
      return;
    }
    if (
      !forced &&
      !step.alwaysRun &&
      !options.replacedHosts?.has(hostName) &&
      options.state.isCurrent(step.id, hostName, print)
    ) {
      if (!options.recheck) {
        await finish('current', [], []);
        return;
      }
      wasCurrent = true;
    }
    options.emit({ type: 'step-started', step: step.id, host: hostName });
    const context: OperationContext = { host, facts, changedPaths: new Set() };
    const changes: string[] = [];
    const notes: string[] = [];
    running.add(hostName);
    try {
      // A step current by its checkpoint is checked first (--check-drift): apply runs only where
      // the check finds drift, so an operation whose apply always acts (a helm release) is not
      // re-run, and apply does what --plan --check-drift showed.
      const drifted =
        !wasCurrent || options.mode === 'plan' ? true : await anyChange(operations, context, notes);
      if (drifted)
        for (const operation of operations) {
          const outcome =
            options.mode === 'plan' ? await operation.check(context) : await operation.apply(context);
          changes.push(...outcome.changes);
          notes.push(...outcome.notes);
        }
    } catch (caught) {
      const error = await whyFailed(hostName, caught);
      running.delete(hostName);
      failures.push({ host: hostName, step: step.id, error });
      if (options.mode === 'apply') {
        await record(step.id, hostName, {
          status: 'failed',
          fingerprint: print,
          finishedAt: new Date().toISOString(),
          runId: options.runId,
          error: firstLine(error),
        });
      }
      await finish('failed', changes, notes, error);
      return;
    }
    running.delete(hostName);
    if (options.mode === 'apply') {
      await record(step.id, hostName, {
        status: 'succeeded',
        fingerprint: print,
        finishedAt: new Date().toISOString(),
        runId: options.runId,
      });
      await finish(changes.length > 0 ? 'changed' : 'unchanged', changes, notes);
    } else {
      await finish(changes.length > 0 ? 'would-change' : 'unchanged', changes, notes);
    }
  };

  for (const stage of options.stages) {
    if (options.signal.aborted) break;
    // A stage none of whose steps is selected (--only, --from) is not shown at all.
    if (stage.steps.every((step) => selected.get(step.id)?.excluded)) continue;
    options.emit({ type: 'stage-started', stage: stage.id, title: stage.title });
    for (const step of stage.steps) {
      if (options.signal.aborted) break;
      const selection = selected.get(step.id);
      if (selection?.excluded) {
        options.emit({ type: 'step-skipped', step: step.id, reason: selection.excluded });
        continue;
      }
      const limit = step.order === 'serial' ? createLimiter(1) : step.upload ? limits.uploads : limits.hosts;
      const failedBefore = failures.length;
      currentStep = step.id;
      await Promise.all(
        step.hosts.map((hostName) =>
          limit(async () => {
            // Ctrl-C, or a host that failed in a serial step: start nothing new.
            if (options.signal.aborted) return;
            if (step.order === 'serial' && failures.length > failedBefore) return;
            // A lost host (already a failure) or no room to record: nothing new on it.
            if (lostHosts.has(hostName) || stateFailure) return;
            await runOnHost(step, hostName, selection?.forced ?? false);
          }),
        ),
      );
      // A host lost while its step ran, where the step still succeeded (the loss came after its
      // last command, or an operation caught the error): the loss is a failure all the same.
      for (const [hostName, error] of lostHosts)
        if (!failures.some((failure) => failure.host === hostName))
          failures.push({ host: hostName, step: step.id, error: lostAfter(error, step.id) });
      // The state file is written on this machine: its failure is the admin host's, at this step.
      if (stateFailure && !failures.some((f) => f.host === ADMIN_HOST))
        failures.push({ host: ADMIN_HOST, step: step.id, error: stateNotWritten(stateFailure, notRecorded) });
      // The other hosts have finished this step; a failure anywhere stops the run here.
      if (failures.length > 0) {
        ended = true;
        options.emit({ type: 'stage-finished', stage: stage.id });
        return { status: 'failed', failures, counts };
      }
    }
    if (!options.signal.aborted) options.emit({ type: 'stage-finished', stage: stage.id });
  }
  ended = true;
  return { status: options.signal.aborted ? 'interrupted' : 'succeeded', failures, counts };
}

/** Whether any operation's check finds something to change (its notes kept when none does). */
async function anyChange(operations: readonly Operation[], context: OperationContext, notes: string[]) {
  const outcomes = [];
  for (const operation of operations) outcomes.push(await operation.check(context));
  if (outcomes.some((outcome) => outcome.changes.length > 0)) return true;
  for (const outcome of outcomes) notes.push(...outcome.notes);
  return false;
}

/** A host lost while none of its steps ran: the step the run was on is named with it. */
function idleLoss(error: unknown, step: string): unknown {
  if (!(error instanceof WireInstallError)) return error;
  return new WireInstallError(
    {
      what: `${error.what}; none of its steps was running: the run was at step ${step}, and stops when the other hosts have finished it`,
      ...(error.host ? { host: error.host } : {}),
      evidence: error.evidence,
      ...(error.next ? { next: error.next } : {}),
    },
    { cause: error.cause },
  );
}

/** A host lost as its step ended: what it recorded stands, and nothing more runs on it. */
function lostAfter(error: unknown, step: string): unknown {
  if (!(error instanceof WireInstallError)) return error;
  return new WireInstallError(
    {
      what: `${error.what}; it went as step ${step} ended on it (what that step recorded stands), and the run stops when the other hosts have finished that step`,
      ...(error.host ? { host: error.host } : {}),
      evidence: error.evidence,
      ...(error.next ? { next: error.next } : {}),
    },
    { cause: error.cause },
  );
}

/** The run ends here: the state file cannot be written. What was and was not recorded is said. */
function stateNotWritten(error: Error, notRecorded: readonly string[]): WireInstallError {
  const base =
    error instanceof WireInstallError
      ? error
      : new WireInstallError(
          { what: `the run state could not be written: ${error.message}` },
          { cause: error },
        );
  return new WireInstallError(
    {
      what: `${base.what}; the run stopped after the steps that were running had ended`,
      evidence: [
        ...base.evidence,
        notRecorded.length === 0
          ? 'every step that ended is recorded (in the space wire-install keeps for the state file); no new step was started'
          : `not recorded (checked again, and changed only where needed, on the next run): ${notRecorded.join(', ')}`,
      ],
      next: `${base.next ?? 'make the state folder writable'}; apply then resumes where this run stopped`,
    },
    { cause: error },
  );
}
