import { Listr, ListrLogger, type ListrTaskWrapper, ProcessOutput } from 'listr2';
import type { Output } from '../core/output.js';
import type { EngineEvent } from './events.js';
import type { Reporter } from './report.js';
import type { EngineStage } from './types.js';

type StepEnd = Extract<EngineEvent, { type: 'step-finished' }> | { type: 'not-run'; reason: string };

/**
 * listr2 holds back what the process writes while the tree is drawn, and prints it when the
 * tree is done. A process stopped at once (a second Ctrl-C) would lose it: this lets it go first.
 */
class ReleasableOutput extends ProcessOutput {
  releaseNow(): void {
    if (this.active) this.release();
  }
}

/**
 * On a terminal: a listr2 tree of stage, step and host, each host line resolved by the
 * engine's events. The tree is laid out from the stages before the run; the engine does not
 * know it exists. Lines that are not part of the tree (trusted host keys, notes) are held and
 * printed after it, so they do not tear the live display.
 *
 * Ctrl-C: listr2's own signal handler (which exits 127 at once, recording nothing) is off; the
 * process's one interrupt path (src/core/interrupt.ts) makes the engine emit 'interrupted'.
 * Then the tree ends at once (host lines still in flight marked so), the acknowledgement is
 * printed under it, and the rest of the run (the steps in flight as they end, the summary)
 * follows as plain lines.
 */
export function createTreeReporter(
  output: Output,
  stages: readonly EngineStage[],
  plain: Reporter,
): Reporter {
  const waiting = new Map<string, { promise: Promise<StepEnd>; resolve: (end: StepEnd) => void }>();
  const slot = (step: string, host: string) => {
    const key = `${step}\u0000${host}`;
    let entry = waiting.get(key);
    if (!entry) {
      let resolve!: (end: StepEnd) => void;
      const promise = new Promise<StepEnd>((r) => {
        resolve = r;
      });
      entry = { promise, resolve };
      waiting.set(key, entry);
    }
    return entry;
  };
  const held: EngineEvent[] = [];
  const inFlight = new Set<string>();
  const processOutput = new ReleasableOutput();
  /** false once interrupted: the tree is being ended, later events become lines. */
  let live = true;
  /** Events after the interrupt, shown as lines once the tree's last picture is drawn. */
  const after: EngineEvent[] = [];
  let flushed = false;
  let ended: Promise<void> | undefined;

  const hostTask = (stepId: string, host: string) => ({
    title: host,
    task: async (_: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
      const end = await slot(stepId, host).promise;
      if (end.type === 'not-run') return task.skip(`${host}: ${end.reason}`);
      if (end.status === 'current') return task.skip(`${host}: current`);
      if (end.status === 'failed') throw new Error(`${host}: ${end.error ?? 'failed'}`);
      const verb = `${end.drift ? (end.status === 'would-change' ? 'drift: ' : 'drift repaired: ') : ''}${end.status === 'would-change' ? 'would ' : ''}`;
      task.title =
        end.changes.length > 0 ? `${host}: ${verb}${end.changes.join('; ')}` : `${host}: no change`;
    },
  });

  const tree = new Listr(
    stages.map((stage) => ({
      title: stage.title,
      task: (_: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
        task.newListr(
          stage.steps.map((step) => ({
            title: `${step.title} ${output.color.dim(step.id)}`,
            task: (__: unknown, stepTask: ListrTaskWrapper<unknown, never, never>) =>
              stepTask.newListr(
                step.hosts.map((host) => hostTask(step.id, host)),
                { concurrent: true, exitOnError: false },
              ),
          })),
          // Steps stay listed when their stage is done; a step's host lines fold away when it is.
          { exitOnError: false, rendererOptions: { collapseSubtasks: false } } as never,
        ),
    })),
    {
      exitOnError: false,
      registerSignalListeners: false,
      rendererOptions: {
        collapseSubtasks: false,
        logger: new ListrLogger({ useIcons: true, toStderr: [], processOutput }),
      },
    } as never,
  );
  let running: Promise<unknown> | undefined;

  const showHeld = () => {
    for (const event of held.splice(0)) {
      if (event.type === 'step-finished')
        for (const note of event.notes) output.warn(`${event.host}: ${note}`);
      else plain.emit(event);
    }
  };
  const flush = () => {
    if (flushed) return;
    flushed = true;
    showHeld();
    for (const event of after.splice(0)) plain.emit(event);
  };
  /** Resolves every host line still waiting: the run will not report them in the tree. */
  const endTree = () => {
    for (const stage of stages)
      for (const step of stage.steps)
        for (const host of step.hosts)
          slot(step.id, host).resolve({
            type: 'not-run',
            reason: inFlight.has(`${step.id}\u0000${host}`)
              ? 'in flight, finishing (below)'
              : 'not run: interrupted',
          });
  };

  return {
    emit(event) {
      if (!live) {
        if (event.type === 'stopped' && !flushed) {
          // Exiting at once: the tree may still hold lines back.
          processOutput.releaseNow();
          flush();
        }
        if (flushed) plain.emit(event);
        else after.push(event);
        return;
      }
      switch (event.type) {
        case 'run-started':
          plain.emit(event);
          running = tree.run().catch(() => undefined);
          break;
        case 'step-started':
          inFlight.add(`${event.step}\u0000${event.host}`);
          break;
        case 'interrupted':
          live = false;
          after.push(event);
          endTree();
          ended = (running ?? Promise.resolve()).then(flush);
          break;
        case 'step-finished':
          inFlight.delete(`${event.step}\u0000${event.host}`);
          slot(event.step, event.host).resolve(event);
          if (event.notes.length > 0) held.push(event);
          break;
        case 'step-skipped':
          for (const stage of stages)
            for (const step of stage.steps)
              if (step.id === event.step)
                for (const host of step.hosts)
                  slot(step.id, host).resolve({ type: 'not-run', reason: event.reason });
          break;
        case 'run-finished':
          for (const stage of stages)
            for (const step of stage.steps)
              for (const host of step.hosts)
                slot(step.id, host).resolve({ type: 'not-run', reason: 'not run' });
          held.push(event);
          break;
        case 'host-key-trusted':
        case 'host-unreachable':
        case 'host-replaced':
        case 'failure':
          held.push(event);
          break;
        default:
          break;
      }
    },
    async close() {
      await running;
      await ended;
      flush();
      await plain.close();
    },
  };
}
