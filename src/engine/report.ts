import type { Output } from '../core/output.js';
import type { EmitEvent, EngineEvent } from './events.js';

/**
 * Engine events for people: one line per step and host as it ends, stage headings, and a
 * summary. --plan gathers the changes and prints them per host at the end, because that is
 * how an operator reads a plan ("what happens to labhost3?"). With --json every event is
 * passed through as one JSON line instead.
 */
export interface Reporter {
  emit: EmitEvent;
  /** Waits until everything is shown (the live tree has finished drawing). */
  close(): Promise<void>;
}

export function createReporter(output: Output): Reporter {
  if (output.json)
    return {
      // Interrupts carry their sentence too: the same words as on a terminal.
      emit: (event) =>
        output.data({
          ...(event as unknown as Record<string, unknown>),
          ...(event.type === 'interrupted' ? { message: interruptedText(event) } : {}),
          ...(event.type === 'stopped' ? { message: stoppedLines(event).join('; ') } : {}),
        }),
      close: async () => {},
    };
  return { emit: plainLines(output), close: async () => {} };
}

type Interrupted = Extract<EngineEvent, { type: 'interrupted' }>;
type Stopped = Extract<EngineEvent, { type: 'stopped' }>;

/** The first Ctrl-C's acknowledgement, said at once. */
export function interruptedText(event: Interrupted): string {
  const again =
    event.signal === 'SIGINT'
      ? 'Ctrl-C again to stop at once'
      : `Ctrl-C (or ${event.signal}) again to stop at once`;
  const what = event.signal === 'SIGINT' ? 'interrupted' : `interrupted (${event.signal})`;
  if (event.phase === 'connecting') return `${what}: connecting abandoned, no step has started; ${again}`;
  return `${what}: finishing the steps in flight (${event.inFlight.length}), ${again}`;
}

const stepList = (steps: Stopped['inFlight']) => {
  const named = steps.slice(0, 5).map((s) => `${s.step} on ${s.host}`);
  return steps.length > 5 ? `${named.join(', ')} and ${steps.length - 5} more` : named.join(', ');
};

/** What the second Ctrl-C leaves behind: the steps cut off, the lock, how to resume. */
export function stoppedLines(event: Stopped): string[] {
  const count = event.inFlight.length;
  const steps =
    count === 0
      ? 'stopped at once: no step was in flight'
      : `stopped at once: ${count} step${count === 1 ? '' : 's'} in flight cut off (${stepList(event.inFlight)}), ${
          event.recorded
            ? 'recorded as interrupted in state.json'
            : // --plan records nothing; apply could not write state.json in time.
              'not recorded as done'
        }: the next run does ${count === 1 ? 'it' : 'them'} again`;
  return [
    steps,
    ...(event.lockLeft
      ? ['the lock stays behind: the next run sees this process is gone and takes it over']
      : []),
    `run \`${event.next}\` again to resume`,
  ];
}

function plainLines(output: Output): EmitEvent {
  const { color } = output;
  let mode: 'apply' | 'plan' = 'apply';
  const planned = new Map<string, string[]>();
  const hostsOrder: string[] = [];
  let resume: string | undefined;

  return (event: EngineEvent) => {
    switch (event.type) {
      case 'run-started':
        mode = event.mode;
        hostsOrder.push(...event.hosts);
        output.line(
          `${mode === 'plan' ? 'Plan' : 'Apply'}: ${event.hosts.length} host${event.hosts.length === 1 ? '' : 's'} (run ${event.runId})`,
        );
        break;
      case 'host-connected':
        output.debug(`connected to ${event.host}, facts in ${event.ms} ms`);
        break;
      case 'host-key-trusted':
        output.warn(
          `trusted on first use: ${event.host} (${event.address}) ${event.keyType} ${event.fingerprint}, recorded in ${event.recordedIn}`,
        );
        break;
      case 'host-unreachable':
        output.errorLine(`${color.red('✗')} ${event.host}: ${event.error}`);
        break;
      case 'host-replaced':
        output.warn(
          `${event.host} was rebuilt or replaced since the last apply (${event.evidence.join('; ')}): its steps ${mode === 'plan' ? 'would run' : 'run'} again`,
        );
        break;
      case 'stage-started':
        if (mode === 'apply') output.line(color.bold(`▸ ${event.title}`));
        break;
      case 'step-skipped':
        output.debug(`  skipped ${event.step}: ${event.reason}`);
        break;
      case 'step-started':
        output.debug(`  started ${event.step} on ${event.host}`);
        break;
      case 'step-finished':
        if (mode === 'plan') {
          if (event.status === 'would-change' || event.status === 'failed') {
            const lines = planned.get(event.host) ?? [];
            if (event.status === 'failed') lines.push(`${event.step}: cannot check: ${event.error}`);
            else
              for (const change of event.changes)
                lines.push(`${event.step}: ${event.drift ? 'drift: ' : ''}${change}`);
            planned.set(event.host, lines);
          }
          for (const note of event.notes) output.warn(`${event.host}: ${note}`);
          break;
        }
        output.line(stepLine(event, color));
        for (const note of event.notes) output.warn(`${event.host}: ${note}`);
        break;
      case 'stage-finished':
        break;
      case 'interrupted':
        resume = event.next;
        output.errorLine(color.yellow(interruptedText(event)));
        break;
      case 'stopped':
        for (const line of stoppedLines(event)) output.errorLine(color.yellow(line));
        break;
      case 'failure':
        output.errorLine('');
        output.errorLine(color.red(`error: ${event.host}: ${event.step} failed`));
        output.errorLine(`  ${event.error}`);
        for (const line of event.evidence) output.errorLine(`    ${line}`);
        if (event.next) output.errorLine(`  next: ${event.next}`);
        output.errorLine('');
        break;
      case 'run-finished': {
        if (mode === 'plan') {
          // The admin host (helm, kubectl) is not among the run's hosts: its changes come last.
          const adminLast = [...planned.keys()].filter((host) => !hostsOrder.includes(host));
          for (const host of [...hostsOrder, ...adminLast]) {
            const lines = planned.get(host);
            if (!lines) continue;
            output.line(color.bold(host));
            for (const line of lines) output.line(`  ${line}`);
          }
          if (planned.size === 0 && event.status === 'succeeded')
            output.line('Nothing to do: every host is as the inventory says.');
        }
        const c = event.counts;
        const summary =
          mode === 'plan'
            ? `${c['would-change']} steps would change, ${c.unchanged + c.current} current`
            : `${c.changed} changed, ${c.unchanged} unchanged, ${c.current} current (checkpoint)`;
        const failed = c.failed > 0 ? `, ${c.failed} failed` : '';
        output.line(
          `${mode === 'plan' ? 'Plan' : 'Apply'} ${event.status}: ${summary}${failed} in ${(event.ms / 1000).toFixed(1)} s`,
        );
        if (event.status !== 'succeeded') output.line(`Debug log: ${event.logFile}`);
        if (event.status === 'interrupted' && resume)
          output.line(`run \`${resume}\` again to ${mode === 'plan' ? 'see the whole plan' : 'resume'}`);
        break;
      }
    }
  };
}

function stepLine(event: Extract<EngineEvent, { type: 'step-finished' }>, color: Output['color']): string {
  const where = `${event.step} ${color.dim(event.host)}`;
  switch (event.status) {
    case 'current':
      return `  ${color.dim('=')} ${where} ${color.dim('current')}`;
    case 'unchanged':
      return `  ${color.green('✓')} ${where} ${color.dim('no change')}`;
    case 'changed':
      return `  ${color.yellow('~')} ${where} ${event.drift ? 'drift repaired: ' : ''}${event.changes.join('; ')}`;
    case 'would-change':
      return `  ${color.yellow('~')} ${where} would ${event.changes.join('; ')}`;
    case 'failed':
      return `  ${color.red('✗')} ${where} ${color.red(event.error ?? 'failed')}`;
  }
}
