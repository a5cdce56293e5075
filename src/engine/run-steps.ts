import type { HostFacts } from '../hosts/facts.js';
import { createLimiter } from '../hosts/limiter.js';
import type { RemoteHost } from '../hosts/types.js';
import type { Operation, OperationContext } from '../operations/types.js';
import { fingerprint } from '../state/fingerprint.js';
import type { StateStore } from '../state/store.js';
import type { EmitEvent } from './events.js';
import { selectSteps } from './select.js';
import type { EngineStage, EngineStep, StepSelection, StepStatus } from './types.js';

/**
 * The engine's loop. Stages run in order, and within a stage the steps in order; a step runs
 * on its hosts at once (up to the concurrency limit, lower for uploads) or one at a time
 * (`serial`). Every step on every host is checkpointed: it is skipped when it succeeded before
 * with the same fingerprint, and recorded in the state file as soon as it ends.
 *
 * A failure on a host stops that host's remaining steps; the other hosts finish the step they
 * are on, and the run stops there, failed. An aborted signal (Ctrl-C) starts no new work, lets
 * running steps finish and be recorded, and ends the run as interrupted.
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

  const runOnHost = async (step: EngineStep, hostName: string, forced: boolean): Promise<void> => {
    const host = options.hosts.get(hostName);
    const facts = options.facts.get(hostName);
    if (!host || !facts) throw new Error(`engine: host ${hostName} of step ${step.id} is not connected`);
    const started = performance.now();
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
    if (!forced && !step.alwaysRun && options.state.isCurrent(step.id, hostName, print)) {
      await finish('current', [], []);
      return;
    }
    options.emit({ type: 'step-started', step: step.id, host: hostName });
    const context: OperationContext = { host, facts, changedPaths: new Set() };
    const changes: string[] = [];
    const notes: string[] = [];
    try {
      for (const operation of operations) {
        const outcome =
          options.mode === 'plan' ? await operation.check(context) : await operation.apply(context);
        changes.push(...outcome.changes);
        notes.push(...outcome.notes);
      }
    } catch (error) {
      failures.push({ host: hostName, step: step.id, error });
      if (options.mode === 'apply') {
        await options.state.record(step.id, hostName, {
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
    if (options.mode === 'apply') {
      await options.state.record(step.id, hostName, {
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
      await Promise.all(
        step.hosts.map((hostName) =>
          limit(async () => {
            // Ctrl-C, or a host that failed in a serial step: start nothing new.
            if (options.signal.aborted) return;
            if (step.order === 'serial' && failures.length > failedBefore) return;
            await runOnHost(step, hostName, selection?.forced ?? false);
          }),
        ),
      );
      // The other hosts have finished this step; a failure anywhere stops the run here.
      if (failures.length > 0) {
        options.emit({ type: 'stage-finished', stage: stage.id });
        return { status: 'failed', failures, counts };
      }
    }
    if (!options.signal.aborted) options.emit({ type: 'stage-finished', stage: stage.id });
  }
  return { status: options.signal.aborted ? 'interrupted' : 'succeeded', failures, counts };
}
