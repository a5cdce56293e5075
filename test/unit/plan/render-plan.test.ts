import { describe, expect, it } from 'vitest';
import { createMemoryOutput } from '../../../src/core/output.js';
import { buildPlan, plannedSteps } from '../../../src/plan/build-plan.js';
import { renderPlan } from '../../../src/plan/render-plan.js';
import { wrap } from '../../../src/plan/wrap.js';
import { STAGES } from '../../../src/steps/stages.js';
import { demo, production } from './inventories.js';

function text(inventory = production(), verbose = true): string {
  const output = createMemoryOutput({ env: {}, verbose });
  renderPlan(buildPlan(inventory), output);
  return output.stdoutText();
}

describe('renderPlan: text', () => {
  it('opens with mode, domain, counts, and says nothing was contacted', () => {
    const lines = text().split('\n');
    expect(lines[0]).toBe('Plan for wire.example.com (production)');
    expect(lines[1]).toMatch(/^7 hosts, \d+ steps in 8 stages; 3 steps skipped\.$/);
    expect(lines[2]).toBe('Nothing was connected to; this is the plan from the inventory alone.');
    expect(text(demo()).split('\n')[1]).toMatch(
      /^1 host, \d+ steps in 7 stages; 1 stage skipped; \d+ steps skipped\.$/,
    );
  });

  it('shows why each step exists only with --verbose, and says so', () => {
    const short = text(production(), false);
    expect(short).not.toContain('why: ');
    expect(short.split('\n')[3]).toBe('Add --verbose to see why each step exists.');
    const long = text(production(), true);
    expect(long).toMatch(/\n {6}why: /);
    expect(long).not.toContain('Add --verbose');
  });

  it('shows every stage title, numbered in order', () => {
    const rendered = text();
    let from = 0;
    STAGES.forEach((stage, index) => {
      const at = rendered.indexOf(`\n${index + 1}. ${stage.title}\n`, from);
      expect(at, stage.id).toBeGreaterThan(from);
      from = at;
    });
  });

  it('numbers the steps 1..N across stages, with their ids', () => {
    const inventory = production();
    const rendered = text(inventory);
    const steps = plannedSteps(buildPlan(inventory));
    // steps are indented, stage headings are not
    const numbers = [...rendered.matchAll(/^ {1,3}(\d+)\. /gm)].map((match) => Number(match[1]));
    expect(numbers).toEqual(steps.map((_, index) => index + 1));
    for (const step of steps) expect(rendered).toContain(`      ${step.id}\n`);
  });

  it('names the hosts each step runs on, why they were chosen, and how', () => {
    const rendered = text();
    expect(rendered).toContain('on:  datanode1, datanode2, datanode3 (role cassandra), one at a time');
    expect(rendered).toContain('on:  kubenode1 (role kube-control-plane, first listed)');
    expect(rendered).toContain('on:  assethost (role assethost)');
    expect(rendered).toMatch(
      /on: {2}kubenode1, kubenode2, kubenode3, datanode1, datanode2, datanode3,\n\s+assethost \(all hosts\), in parallel/,
    );
    expect(rendered).toContain('on:  admin host');
    for (const host of production().hosts) expect(rendered).toContain(host.name);
  });

  it('lists skipped stages and steps with their reasons', () => {
    const rendered = text(demo({ certificates: { mode: 'self-signed' } }));
    expect(rendered).toMatch(/5\. Databases: .*\n {3}skipped: demo mode/);
    expect(rendered).toMatch(/Skipped steps \(\d+\)\n/);
    expect(rendered).toMatch(/ {2}workloads\.cert-manager\n {6}certificates\.mode is not cert-manager/);
  });

  it('fits an 80-column terminal and prints no colour when colour is off', () => {
    for (const inventory of [production(), demo()]) {
      for (const line of text(inventory).split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
      expect(text(inventory)).not.toContain('\u001b[');
    }
  });

  it('colours headings when colour is on, without changing the text', () => {
    const output = createMemoryOutput({ env: { FORCE_COLOR: '1' }, verbose: true });
    renderPlan(buildPlan(production()), output);
    const coloured = output.stdoutText();
    expect(coloured).toContain('\u001b[1m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(text());
  });
});

describe('renderPlan: --json', () => {
  it('emits one plan record holding everything, and no text', () => {
    const inventory = production();
    const plan = buildPlan(inventory);
    const output = createMemoryOutput({ json: true, env: {} });
    renderPlan(plan, output);
    const lines = output.stdoutText().trim().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] as string);
    expect(record).toMatchObject({ type: 'plan', mode: 'production', domain: 'wire.example.com' });
    expect(record.stages.map((stage: { id: string }) => stage.id)).toEqual(
      plan.stages.map((stage) => stage.id),
    );
    expect(record.hosts).toHaveLength(7);
    expect(record.skippedSteps).toContainEqual({
      id: 'kubernetes.join-workers',
      stage: 'kubernetes',
      title: expect.any(String),
      reason: 'no host has role kube-worker without kube-control-plane',
    });
    const cassandra = record.stages
      .flatMap((stage: { steps: unknown[] }) => stage.steps)
      .find((step: { id: string }) => step.id === 'databases.cassandra-start');
    expect(Object.keys(cassandra).sort()).toEqual([
      'hosts',
      'id',
      'order',
      'stage',
      'target',
      'title',
      'why',
    ]);
    expect(cassandra).toMatchObject({ target: 'hosts', order: 'serial' });
    expect(record).toEqual(JSON.parse(JSON.stringify({ type: 'plan', ...plan })));
    expect(output.stderrText()).toBe('');
  });

  it('keeps skipped stages in the record, with the reason', () => {
    const output = createMemoryOutput({ json: true, env: {} });
    renderPlan(buildPlan(production({ kubernetes: { mode: 'existing', kubeconfig: 'kube.conf' } })), output);
    const record = JSON.parse(output.stdoutText());
    const kubernetes = record.stages.find((stage: { id: string }) => stage.id === 'kubernetes');
    expect(kubernetes).toEqual({
      id: 'kubernetes',
      title: expect.any(String),
      steps: [],
      skipped: expect.stringContaining('existing'),
    });
  });
});

describe('wrap', () => {
  it('wraps at the width with a hanging indent and keeps over-long words whole', () => {
    expect(wrap('aaa bbb ccc', '> ', '  ', 9)).toEqual(['> aaa bbb', '  ccc']);
    expect(wrap('x https://a-very-long-url.example.com/y', '', '', 10)).toEqual([
      'x',
      'https://a-very-long-url.example.com/y',
    ]);
  });
});
