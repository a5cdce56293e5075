import { describe, expect, it } from 'vitest';
import { driftResults } from '../../../src/doctor/checks/drift.js';
import type { DriftEntry } from '../../../src/engine/drift.js';

/** How the drift check's verdicts read in doctor's report (the checks themselves: test/lab). */
describe('drift.steps results', () => {
  const entry = (
    host: string,
    step: string,
    verdict: DriftEntry['verdict'],
    extra: Partial<DriftEntry> = {},
  ) => ({
    host,
    step,
    verdict,
    changes: [],
    ...extra,
  });

  it('a fail per drifted step and host with the changes and the narrow repair; one pass per host in sync', () => {
    const results = driftResults(
      [
        entry('h1', 'bootstrap-host.hostname', 'in-sync'),
        entry('h1', 'databases.rabbitmq-install', 'drift', { changes: ['start rabbitmq-server.service'] }),
        entry('h2', 'bootstrap-host.hostname', 'in-sync'),
        entry('h2', 'databases.rabbitmq-install', 'in-sync'),
      ],
      'inventory.yaml',
    );
    expect(results.map((r) => [r.status, r.host, r.summary])).toEqual([
      ['fail', 'h1', 'h1: databases.rabbitmq-install no longer matches what it applied'],
      ['pass', 'h1', 'h1: 1 applied step still matches'],
      ['pass', 'h2', 'h2: 2 applied steps still match'],
    ]);
    expect(results[0]?.evidence).toEqual(['would start rabbitmq-server.service']);
    expect(results[0]?.fix).toBe(
      'wire-install apply -i inventory.yaml --check-drift --only databases.rabbitmq-install (repairs it; add --plan first to see the changes)',
    );
  });

  it('changed inputs and a check that failed are warnings, not drift', () => {
    const results = driftResults(
      [
        entry('h1', 'bootstrap-host.apt-sources', 'inputs-changed'),
        entry('h1', 'databases.minio-install', 'cannot-check', { error: 'mc: not found' }),
      ],
      'inv.yaml',
    );
    expect(results.map((r) => r.status)).toEqual(['warn', 'warn']);
    expect(results[0]?.fix).toContain('wire-install apply -i inv.yaml runs it again');
    expect(results[1]?.evidence).toEqual(['mc: not found']);
  });
});
