import { describe, expect, it } from 'vitest';
import type { WireStep } from '../../../src/steps/define-step.js';
import {
  allSteps,
  findStep,
  isStepId,
  registryProblems,
  type StepId,
  stepsForMode,
} from '../../../src/steps/registry.js';
import { DEMO_CHARTS, PRODUCTION_CHARTS } from '../../../src/wire/charts.js';

describe('the step registry', () => {
  it('has no problems: stages in order, ids <stage>.<name>, unique within each mode', () => {
    expect(registryProblems()).toEqual([]);
  });

  it('reports a duplicate id within a mode and a step out of stage order', () => {
    const first = allSteps[0] as WireStep;
    const last = allSteps.at(-1) as WireStep;
    expect(registryProblems([first, { ...first }])).toContain(`${first.id}: twice in demo mode`);
    expect(registryProblems([last, first])).toContain(`${first.id}: stage preflight out of order`);
    expect(registryProblems([{ ...first, id: 'preflight.Bad_Name' }])).toContain(
      'preflight.Bad_Name: id is not <stage>.<kebab-name>',
    );
  });

  it('gives a chart used by both modes the same id in each, and finds steps per mode', () => {
    expect(findStep('demo', 'workloads.wire-server')?.modes).toEqual(['demo']);
    expect(findStep('production', 'workloads.wire-server')?.modes).toEqual(['production']);
    expect(findStep('demo', 'workloads.cassandra-external')).toBeUndefined();
    expect(findStep('production', 'databases.cassandra-start')?.order).toBe('serial');
  });

  it('keeps every step definition explained in one line', () => {
    for (const step of allSteps) {
      expect(step.why.length, step.id).toBeGreaterThan(20);
      expect(step.why, step.id).not.toContain('\n');
      expect(step.title.length, step.id).toBeLessThanOrEqual(72);
    }
  });

  it('has exactly one chart step per chart of each mode, in the chart order', () => {
    for (const [mode, charts] of [
      ['demo', DEMO_CHARTS],
      ['production', PRODUCTION_CHARTS],
    ] as const) {
      const chartIds = stepsForMode(mode)
        .filter((step) => step.title.startsWith('Install chart '))
        .map((step) => step.id);
      expect(chartIds).toEqual(charts.map((chart) => `workloads.${chart.release}`));
    }
  });
});

describe('StepId', () => {
  it('names the steps, and the compiler refuses any other string (tsc checks this file)', () => {
    const step: StepId = 'databases.postgresql-primary';
    // @ts-expect-error not a step: if StepId ever widened to string, this line would stop tsc.
    const notAStep: StepId = 'databases.redis-install';
    expect(isStepId(step)).toBe(true);
    expect(isStepId(notAStep)).toBe(false);
  });
});
