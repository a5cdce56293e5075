import type { Interrupt } from '../core/interrupt.js';
import type { StateStore } from '../state/store.js';
import type { EmitEvent, EngineEvent, StepOnHost } from './events.js';

/**
 * What a run does when it is interrupted, the same for every reporter (lines, tree, JSON):
 * on the first Ctrl-C it says so at once ('interrupted': the steps in flight, or that
 * connecting is abandoned) and lets the caller stop; on the second, before the process exits,
 * it records the steps in flight as failed ("interrupted") in the state and says what is left
 * behind ('stopped'). It knows the steps in flight from the run's own events.
 */
export interface RunInterruptOptions {
  signal: AbortSignal;
  onStopAtOnce: Interrupt['onStopAtOnce'] | undefined;
  emit: EmitEvent;
  /** apply: where the steps cut off are recorded; --plan records nothing. */
  state: StateStore | undefined;
  runId: string;
  /** The command that resumes the run. */
  next: string;
  /** Whether this run holds the lock (which a process stopped at once cannot release). */
  holdsLock: boolean;
}

export interface RunInterrupt {
  /** Every event of the run passes here: step-started and step-finished keep the steps in flight. */
  track(event: EngineEvent): void;
  /** Connecting is over: an interrupt from now on finishes steps. */
  stepsStarted(): void;
  /** Resolves on the first interrupt (at once if it came before the run started). */
  readonly interrupted: Promise<void>;
  /** The run is over: later signals are not this run's to answer. */
  dispose(): void;
}

/** How long a second Ctrl-C waits for the state file before saying what it could not record. */
const RECORD_MS = 1000;

const key = (step: string, host: string) => `${step}\u0000${host}`;

export function watchRunInterrupt(options: RunInterruptOptions): RunInterrupt {
  const inFlight = new Map<string, StepOnHost>();
  let phase: 'connecting' | 'steps' = 'connecting';
  let disposed = false;
  let resolveInterrupted!: () => void;
  const interrupted = new Promise<void>((resolve) => {
    resolveInterrupted = resolve;
  });

  const onAbort = () => {
    if (disposed) return;
    const reason = options.signal.reason;
    options.emit({
      type: 'interrupted',
      signal: typeof reason === 'string' ? reason : 'SIGINT',
      phase,
      inFlight: [...inFlight.values()],
      next: options.next,
    });
    resolveInterrupted();
  };

  const stopAtOnce = async () => {
    if (disposed) return;
    const cut = [...inFlight.values()];
    const finishedAt = new Date().toISOString();
    const state = options.state;
    // Not 'succeeded': the next run does them again, from the start.
    const recording = state
      ? Promise.all(
          cut.map(({ step, host }) =>
            state.record(step, host, {
              status: 'failed',
              fingerprint: '',
              finishedAt,
              runId: options.runId,
              error: 'interrupted: the run was stopped at once (second Ctrl-C) while this step ran',
            }),
          ),
        ).then(() => true)
      : Promise.resolve(false);
    let timer: NodeJS.Timeout | undefined;
    const recorded = await Promise.race([
      recording.catch(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), RECORD_MS);
      }),
    ]);
    clearTimeout(timer);
    options.emit({
      type: 'stopped',
      inFlight: cut,
      recorded: recorded && cut.length > 0,
      lockLeft: options.holdsLock,
      next: options.next,
    });
  };

  options.signal.addEventListener('abort', onAbort, { once: true });
  const unregister = options.onStopAtOnce?.(stopAtOnce);
  if (options.signal.aborted) onAbort();

  return {
    track(event) {
      if (event.type === 'step-started')
        inFlight.set(key(event.step, event.host), { step: event.step, host: event.host });
      else if (event.type === 'step-finished') inFlight.delete(key(event.step, event.host));
    },
    stepsStarted() {
      phase = 'steps';
    },
    interrupted,
    dispose() {
      disposed = true;
      options.signal.removeEventListener('abort', onAbort);
      unregister?.();
    },
  };
}
