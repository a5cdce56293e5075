import { Listr, type ListrTaskWrapper } from 'listr2';
import type { Output } from '../core/output.js';
import type { EngineEvent } from './events.js';
import type { Reporter } from './report.js';
import type { EngineStage } from './types.js';

type StepEnd = Extract<EngineEvent, { type: 'step-finished' }> | { type: 'not-run'; reason: string };

/**
 * On a terminal: a listr2 tree of stage, step and host, each host line resolved by the
 * engine's events. The tree is laid out from the stages before the run; the engine does not
 * know it exists. Lines that are not part of the tree (trusted host keys, notes) are held and
 * printed after it, so they do not tear the live display.
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

  const hostTask = (stepId: string, host: string) => ({
    title: host,
    task: async (_: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
      const end = await slot(stepId, host).promise;
      if (end.type === 'not-run') return task.skip(`${host}: ${end.reason}`);
      if (end.status === 'current') return task.skip(`${host}: current`);
      if (end.status === 'failed') throw new Error(`${host}: ${end.error ?? 'failed'}`);
      const verb = end.status === 'would-change' ? 'would ' : '';
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
    { exitOnError: false, rendererOptions: { collapseSubtasks: false } } as never,
  );
  let running: Promise<unknown> | undefined;

  return {
    emit(event) {
      switch (event.type) {
        case 'run-started':
          plain.emit(event);
          running = tree.run().catch(() => undefined);
          break;
        case 'step-finished':
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
        case 'failure':
          held.push(event);
          break;
        default:
          break;
      }
    },
    async close() {
      await running;
      for (const event of held) {
        if (event.type === 'step-finished')
          for (const note of event.notes) output.warn(`${event.host}: ${note}`);
        else plain.emit(event);
      }
      await plain.close();
    },
  };
}
