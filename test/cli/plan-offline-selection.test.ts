import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/**
 * `apply --plan --offline` with --only, --from and --force shows what that apply would run:
 * the names are checked as apply checks them, left-out steps are counted apart, forced ones
 * marked. The example inventory is only read; nothing is contacted.
 */

interface PlanRecord {
  stages: { id: string; steps: { id: string; forced?: boolean }[]; skipped?: string }[];
  notSelected?: { id: string; reason: string }[];
  skippedSteps: { id: string }[];
  selection?: Record<string, string>;
}

async function plan(...flags: string[]) {
  const result = await runCli([
    'apply',
    '--plan',
    '--offline',
    '-i',
    'inventory.example.yaml',
    ...flags,
    '--json',
  ]);
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as PlanRecord;
}

const running = (record: PlanRecord) => record.stages.flatMap((stage) => stage.steps.map((step) => step.id));

describe('apply --plan --offline with a selection', () => {
  it('--only a stage and --force one of its steps: only that stage runs, the forced step is marked', async () => {
    const record = await plan('--only', 'bootstrap-host', '--force', 'bootstrap-host.kernel-settings');
    expect(running(record).every((id) => id.startsWith('bootstrap-host.'))).toBe(true);
    expect(running(record)).toContain('bootstrap-host.hostname');
    const steps = record.stages.flatMap((stage) => stage.steps);
    expect(steps.find((step) => step.id === 'bootstrap-host.kernel-settings')?.forced).toBe(true);
    expect(steps.find((step) => step.id === 'bootstrap-host.hostname')?.forced).toBeUndefined();
    expect(record.notSelected).toContainEqual({
      id: 'preflight.bundle',
      stage: 'preflight',
      title: expect.any(String),
      reason: 'not --only bootstrap-host',
    });
    expect(record.stages.find((stage) => stage.id === 'databases')?.skipped).toBe('not selected');
    // What the inventory skips is still its own list, not mixed with what the flags leave out.
    expect(record.skippedSteps.map((step) => step.id)).not.toContain('preflight.bundle');
  });

  it('--from a step: everything before it is left out, everything after it runs', async () => {
    const whole = running(await plan());
    const from = await plan('--from', 'databases.cassandra-health');
    const start = whole.indexOf('databases.cassandra-health');
    expect(running(from)).toEqual(whole.slice(start));
    expect(from.notSelected?.map((step) => step.id)).toEqual(whole.slice(0, start));
    expect(from.notSelected?.[0]?.reason).toBe('before --from databases.cassandra-health');
  });

  it('an unknown name is bad input (exit 2), named with the names there are, as apply does', async () => {
    for (const flag of ['--only', '--from', '--force']) {
      const result = await runCli([
        'apply',
        '--plan',
        '--offline',
        '-i',
        'inventory.example.yaml',
        flag,
        'bootstrap-host.sysctl',
      ]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`${flag} bootstrap-host.sysctl: there is no such step or stage`);
      expect(result.stderr).toContain('bootstrap-host.kernel-settings');
    }
  });

  it('the text says which selection it shows and marks the forced step', async () => {
    const result = await runCli([
      'apply',
      '--plan',
      '--offline',
      '-i',
      'inventory.example.yaml',
      '--only',
      'kubernetes',
      '--force',
      'kubernetes.cni',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Selected with --only kubernetes --force kubernetes.cni.');
    expect(result.stdout).toMatch(/kubernetes\.cni {2}\(forced: runs even where its checkpoint is current\)/);
    expect(result.stdout).toContain('Nothing was connected to');
  });
});
