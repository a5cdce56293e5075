import { describe, expect, it } from 'vitest';
import { createInterrupt, STOP_AT_ONCE_MS } from '../../../src/core/interrupt.js';
import { createMemoryOutput } from '../../../src/core/output.js';
import { createReporter } from '../../../src/engine/report.js';

/** The process's interrupt path (what runProcess does with SIGINT and SIGTERM) and its words in JSON. */
describe('the interrupt', () => {
  it('first signal aborts (SIGTERM named as the reason), the second stops, running only the latest handler', async () => {
    const interrupt = createInterrupt();
    const said: string[] = [];
    interrupt.onStopAtOnce(() => {
      said.push('default');
    });
    const unregister = interrupt.onStopAtOnce(() => {
      said.push('apply');
    });
    expect(interrupt.receive('SIGTERM')).toBe('abort');
    expect(interrupt.signal.aborted).toBe(true);
    expect(interrupt.signal.reason).toBe('SIGTERM');
    expect(interrupt.receive('SIGINT')).toBe('stop');
    await interrupt.stopAtOnce();
    expect(said).toEqual(['apply']);
    unregister();
    await interrupt.stopAtOnce();
    expect(said).toEqual(['apply', 'default']);
  });

  it('does not wait longer than STOP_AT_ONCE_MS for a handler that hangs', async () => {
    const interrupt = createInterrupt();
    interrupt.onStopAtOnce(() => new Promise<void>(() => undefined));
    const started = Date.now();
    await interrupt.stopAtOnce();
    expect(Date.now() - started).toBeLessThan(STOP_AT_ONCE_MS + 500);
  });
});

describe('interrupts with --json', () => {
  it('carry the same sentences as on a terminal', () => {
    const output = createMemoryOutput({ json: true });
    const reporter = createReporter(output);
    const inFlight = [{ step: 'lab.slow', host: 'labhost1' }];
    reporter.emit({
      type: 'interrupted',
      signal: 'SIGTERM',
      phase: 'steps',
      inFlight,
      next: 'wire-install apply',
    });
    reporter.emit({ type: 'stopped', inFlight, recorded: true, lockLeft: true, next: 'wire-install apply' });
    const [interrupted, stopped] = output
      .stdoutText()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { message: string });
    expect(interrupted?.message).toBe(
      'interrupted (SIGTERM): finishing the steps in flight (1), Ctrl-C (or SIGTERM) again to stop at once',
    );
    expect(stopped?.message).toBe(
      'stopped at once: 1 step in flight cut off (lab.slow on labhost1), recorded as interrupted in state.json: the next run does it again; the lock stays behind: the next run sees this process is gone and takes it over; run `wire-install apply` again to resume',
    );
  });
});
