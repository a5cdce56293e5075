import type { StepStatus } from './types.js';

/**
 * Everything the engine reports, as events. With --json each is one line of JSON on stdout
 * (newline-delimited, in the order they happen); otherwise report.ts turns them into lines.
 * Tests assert on these events, not on timing.
 */
export type EngineEvent =
  | { type: 'run-started'; runId: string; mode: 'apply' | 'plan'; hosts: string[]; logFile: string }
  | { type: 'host-connected'; host: string; ms: number }
  | {
      type: 'host-key-trusted';
      host: string;
      address: string;
      keyType: string;
      fingerprint: string;
      recordedIn: string;
    }
  | { type: 'host-unreachable'; host: string; error: string }
  /**
   * The host's machine-id or SSH host key differs from the last apply: it was rebuilt or
   * replaced, its checkpoints are forgotten (apply) or ignored (plan), and its steps run again.
   */
  | { type: 'host-replaced'; host: string; evidence: string[] }
  | { type: 'stage-started'; stage: string; title: string }
  | { type: 'step-skipped'; step: string; reason: string }
  | { type: 'step-started'; step: string; host: string }
  | {
      type: 'step-finished';
      step: string;
      host: string;
      status: StepStatus;
      changes: string[];
      notes: string[];
      ms: number;
      error?: string;
      /** --check-drift: the step was current by its checkpoint, yet the host differs (host-side drift). */
      drift?: true;
    }
  | { type: 'stage-finished'; stage: string }
  /** Why the run failed on a host: the step (or `connect`), what failed, evidence (command, exit code, last lines), next. */
  | { type: 'failure'; host: string; step: string; error: string; evidence: string[]; next?: string }
  /**
   * The first Ctrl-C (or SIGTERM): no new step starts, connecting is abandoned, the steps in
   * flight finish and are recorded. `next` is the command that resumes.
   */
  | {
      type: 'interrupted';
      signal: string;
      phase: 'connecting' | 'steps';
      inFlight: StepOnHost[];
      next: string;
    }
  /**
   * The second: the process exits at once. The steps in flight were cut off and recorded as
   * failed ("interrupted") where the time allowed; the lock stays, and the next run takes it over.
   */
  | { type: 'stopped'; inFlight: StepOnHost[]; recorded: boolean; lockLeft: boolean; next: string }
  | {
      type: 'run-finished';
      status: 'succeeded' | 'failed' | 'interrupted';
      counts: Record<StepStatus, number>;
      ms: number;
      logFile: string;
    };

export interface StepOnHost {
  step: string;
  host: string;
}

export type EmitEvent = (event: EngineEvent) => void;
