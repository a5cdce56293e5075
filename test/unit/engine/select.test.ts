import { describe, expect, it } from 'vitest';
import { selectSteps } from '../../../src/engine/select.js';
import type { EngineStage } from '../../../src/engine/types.js';
import { wireInstallFailure } from '../../support/failure.js';

const step = (id: string) => ({ id, title: id, hosts: [], operations: () => [] });
const STAGES: EngineStage[] = [
  { id: 'one', title: 'One', steps: [step('one.a'), step('one.b')] },
  { id: 'two', title: 'Two', steps: [step('two.a'), step('two.b')] },
];
const running = (selection: Parameters<typeof selectSteps>[1]) =>
  selectSteps(STAGES, selection)
    .filter((s) => !s.excluded)
    .map((s) => `${s.stepId}${s.forced ? '!' : ''}`);

describe('--from, --only and --force', () => {
  it('runs everything by default', () => {
    expect(running({})).toEqual(['one.a', 'one.b', 'two.a', 'two.b']);
  });

  it('starts at a step or at a stage', () => {
    expect(running({ from: 'one.b' })).toEqual(['one.b', 'two.a', 'two.b']);
    expect(running({ from: 'two' })).toEqual(['two.a', 'two.b']);
  });

  it('runs only a step or a stage, and combines with --from', () => {
    expect(running({ only: 'two.b' })).toEqual(['two.b']);
    expect(running({ only: 'one' })).toEqual(['one.a', 'one.b']);
    expect(running({ from: 'one.b', only: 'one' })).toEqual(['one.b']);
  });

  it('forces a step or a stage without excluding the others', () => {
    expect(running({ force: 'one.b' })).toEqual(['one.a', 'one.b!', 'two.a', 'two.b']);
    expect(running({ force: 'two' })).toEqual(['one.a', 'one.b', 'two.a!', 'two.b!']);
  });

  it('says why an excluded step does not run', () => {
    const [first] = selectSteps(STAGES, { from: 'two' });
    expect(first?.excluded).toBe('before --from two');
  });

  it('refuses an unknown name as bad input, listing the known ones', async () => {
    const error = await wireInstallFailure(
      Promise.resolve().then(() => selectSteps(STAGES, { only: 'three' })),
    );
    expect(error.exitCode).toBe(2);
    expect(error.what).toBe('--only three: there is no such step or stage');
    expect(error.evidence[0]).toContain('one.a, one.b');
  });
});
