import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allSteps } from '../../../src/steps/registry.js';
import { STAGE_IDS, type StageId } from '../../../src/steps/stages.js';
import { DEMO_CHARTS, PRODUCTION_CHARTS } from '../../../src/wire/charts.js';

/**
 * The step tables of docs/plan.md and docs/apply.md say in prose what each step does; the step
 * objects are the truth about which steps exist, in which order and where they run. These tests
 * hold the tables to the objects, so a step added, removed, renamed or moved shows up here.
 */
const planDoc = readFileSync(new URL('../../../docs/plan.md', import.meta.url), 'utf8');
const applyDoc = readFileSync(new URL('../../../docs/apply.md', import.meta.url), 'utf8');

const isChart = (id: string) =>
  [...PRODUCTION_CHARTS, ...DEMO_CHARTS].some((chart) => id === `workloads.${chart.release}`);

/** The text from a heading to the next heading of the same or a higher level. */
function section(doc: string, heading: string): string {
  const start = doc.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const level = heading.indexOf(' ');
  const rest = doc.slice(start + heading.length + 1);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

/** Each table row's first cell, as the step ids it names; `name` alone after an id means `<stage>.name`. */
function tableRows(text: string): { ids: string[]; cells: string[] }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      const names = [...(cells[0] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
      const stage = names[0]?.split('.')[0] ?? '';
      return { ids: names.map((name) => (name.includes('.') ? name : `${stage}.${name}`)), cells };
    });
}

/** Each step once, in registry order (a chart step used by both modes appears twice there). */
function stepsOf(stage: StageId) {
  const seen = new Set<string>();
  return allSteps.filter((step) => step.stage === stage && !seen.has(step.id) && seen.add(step.id));
}

function stageSection(stage: StageId): string {
  const index = STAGE_IDS.indexOf(stage) + 1;
  const heading = planDoc.split('\n').find((line) => line.startsWith(`### ${index}. ${stage}`));
  if (!heading) throw new Error(`docs/plan.md has no heading "### ${index}. ${stage}"`);
  return section(planDoc, heading);
}

/** The releases of a numbered chart list ("1. `cassandra-external`, 2. `fake-aws`, ..."). */
function chartList(text: string, label: string): string[] {
  const start = text.indexOf(`**${label}**`);
  const end = text.indexOf('\n\n', text.indexOf('\n\n', start) + 2);
  return [...text.slice(start, end).matchAll(/\d+\. \*{0,2}`([a-z0-9-]+)`/g)].map((match) => match[1] ?? '');
}

describe('docs/plan.md', () => {
  it("each stage's table lists exactly the stage's steps, in the order they run", () => {
    for (const stage of STAGE_IDS) {
      const documented = tableRows(stageSection(stage)).flatMap((row) => row.ids);
      const steps = stepsOf(stage)
        .map((step) => step.id)
        .filter((id) => !isChart(id));
      expect(documented, `docs/plan.md, stage ${stage}`).toEqual(steps);
    }
  });

  it('the "on" column says admin exactly for the steps that run on the admin host', () => {
    for (const stage of STAGE_IDS) {
      for (const row of tableRows(stageSection(stage))) {
        const step = allSteps.find((candidate) => candidate.id === row.ids[0]);
        // Tables without an "on" column (migrations, verify) are all admin steps.
        if (row.cells.length < 3) {
          expect(step?.target.kind, row.ids[0]).toBe('admin');
          continue;
        }
        expect(row.cells[1] === 'admin', `${row.ids[0]}: on ${row.cells[1]}`).toBe(
          step?.target.kind === 'admin',
        );
      }
    }
  });

  it('the chart order lists are the chart steps of each mode, in order', () => {
    const workloads = stageSection('workloads');
    expect(chartList(workloads, 'Production')).toEqual(PRODUCTION_CHARTS.map((chart) => chart.release));
    expect(chartList(workloads, 'Demo')).toEqual(DEMO_CHARTS.map((chart) => chart.release));
  });
});

describe('docs/apply.md', () => {
  it('the host-side table names every step of the stages before workloads, and no other', () => {
    const table = tableRows(section(applyDoc, "## Wire's host-side steps that run"));
    const documented = new Set(table.flatMap((row) => row.ids));
    const hostSide = (['preflight', 'assets', 'bootstrap-host', 'kubernetes', 'databases'] as const).flatMap(
      (stage) => stepsOf(stage).map((step) => step.id),
    );
    expect([...documented].sort()).toEqual([...hostSide].sort());
  });
});
