import { describe, expect, it } from 'vitest';
import {
  currentStep,
  failedStep,
  newestPod,
  parseJobs,
  parsePods,
} from '../../../src/workloads/migrations/kube-objects.js';
import { likelyCauses } from '../../../src/workloads/migrations/likely-causes.js';
import { kube } from '../../support/stand-in-kubectl-replay.js';

describe("kubectl's JSON for hook jobs", () => {
  it('reads a job list and a single job: running, complete, failed with its reason', () => {
    const list = parseJobs(
      JSON.stringify({
        items: [kube.job('a', 'running'), kube.job('b', 'complete'), kube.job('c', 'failed')],
      }),
    );
    expect(list.map((job) => [job.name, job.state, job.reason])).toEqual([
      ['a', 'running', undefined],
      ['b', 'complete', undefined],
      ['c', 'failed', 'BackoffLimitExceeded'],
    ]);
    expect(parseJobs(JSON.stringify(kube.job('one', 'complete')))).toMatchObject([
      { name: 'one', state: 'complete' },
    ]);
  });

  it('orders init containers before the main ones and finds where the pod is and what failed', () => {
    const [pod] = parsePods(
      kube.list([kube.pod('cm', ['g=done', 'b=crashloop', 'x=pending'], ['job-done=pending'])]).stdout,
    );
    expect(pod?.steps.map((s) => `${s.name}:${s.state}`)).toEqual([
      'g:done',
      'b:failed',
      'x:waiting',
      'job-done:waiting',
    ]);
    expect(pod && failedStep(pod)).toMatchObject({
      name: 'b',
      exitCode: 1,
      reason: 'CrashLoopBackOff',
      failedBefore: true,
    });
    expect(pod && currentStep(pod)?.name).toBe('b');
  });

  it('picks the newest pod of a job', () => {
    const pods = parsePods(
      kube.list([
        kube.pod('cm', [], ['m=failed'], '2026-01-01T10:00:00Z'),
        kube.pod('cm', [], ['m=running'], '2026-01-01T10:05:00Z'),
      ]).stdout,
    );
    expect(newestPod(pods, 'cm')?.steps[0]?.state).toBe('running');
    expect(newestPod(pods, 'other')).toBeUndefined();
  });

  it('says which command did not answer JSON', () => {
    expect(() => parsePods('error: You must be logged in to the server (Unauthorized)')).toThrow(
      'kubectl get pods did not answer JSON: error: You must be logged in',
    );
  });
});

describe('likely causes of a failed migration', () => {
  it.each([
    ['Cannot achieve consistency level ALL', 'cassandra-node-down'],
    ['Network.Socket.getAddrInfo (called with preferred socket type/protocol)', 'dns'],
    ['cql-io: response timeout', 'cassandra-unreachable'],
    ['Column family ID mismatch (found 1; expected 2)', 'schema-disagreement'],
    [
      '{"error":{"type":"security_exception","reason":"missing authentication credentials"},"status":401}',
      'elasticsearch-auth',
    ],
    ['cluster_block_exception: FORBIDDEN/12/index read-only / allow delete', 'elasticsearch-read-only'],
  ])('matches %s', (log, id) => {
    expect(likelyCauses(`I, starting\n${log}\n`).map((c) => c.id)).toEqual([id]);
  });

  it('matches nothing in a log without a known cause', () => {
    expect(likelyCauses('Migration 12 done\nall fine')).toEqual([]);
  });
});
