import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allSteps } from '../../../src/steps/registry.js';
import { STAGE_IDS } from '../../../src/steps/stages.js';

const doc = readFileSync(new URL('../../../docs/plan.md', import.meta.url), 'utf8');

describe('docs/plan.md', () => {
  it('documents every stage in order and every non-chart step by id', () => {
    let from = 0;
    STAGE_IDS.forEach((stage, index) => {
      const at = doc.indexOf(`### ${index + 1}. ${stage}`, from);
      expect(at, stage).toBeGreaterThan(from);
      from = at;
    });
    const steps = allSteps.filter((step) => !step.title.startsWith('Install chart '));
    for (const step of steps) expect(doc, step.id).toContain(`\`${step.id}\``);
  });

  it('names every chart release', () => {
    const releases = allSteps
      .filter((step) => step.title.startsWith('Install chart '))
      .map((step) => step.id.replace(/^workloads\./, ''));
    for (const release of releases) expect(doc, release).toContain(`\`${release}\``);
  });
});
