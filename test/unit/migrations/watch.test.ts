import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WireInstallError } from '../../../src/core/errors.js';
import { localHost } from '../../../src/hosts/local-host.js';
import { describeProgress, watchMigrations } from '../../../src/workloads/migrations/watch.js';
import { kube, type ReplayRule, standInKubectlReplay } from '../../support/stand-in-kubectl-replay.js';

/**
 * The migration watch against a STAND-IN kubectl (test/support/stand-in-kubectl-replay.ts: a
 * script that records its arguments and replays canned `get jobs` / `get pods` / `logs`
 * answers), run as a real process through the admin host's RemoteHost (local-host.ts).
 */

const CM = 'cassandra-migrations';
const ES = 'elasticsearch-index-create';
const SCHEMAS = ['gundeck-schema', 'brig-schema', 'galley-schema', 'spar-schema'];
const KUBECONFIG = '/tmp/wil test/admin.conf';

function setup(script: ReplayRule[]) {
  const dir = mkdtempSync(join(tmpdir(), 'wil-watch-'));
  const standIn = standInKubectlReplay(dir, script);
  const host = localHost({ env: { ...process.env, PATH: `${standIn.bin}:${process.env.PATH}` } });
  return { host, standIn };
}

const schemas = (...states: string[]) => SCHEMAS.map((name, i) => `${name}=${states[i] ?? 'pending'}`);

async function failureOf(promise: Promise<unknown>): Promise<WireInstallError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WireInstallError) return error;
    throw error;
  }
  throw new Error('expected the watch to fail');
}

describe('watchMigrations', () => {
  it('reports the init containers one by one, then the next job, and returns when all completed', async () => {
    const { host, standIn } = setup([
      {
        match: 'get jobs -o json',
        responses: [
          kube.list([]),
          kube.list([kube.job(CM, 'running')]),
          kube.list([kube.job(CM, 'running')]),
          kube.list([kube.job(CM, 'complete'), kube.job(ES, 'running')]),
          kube.list([kube.job(CM, 'complete'), kube.job(ES, 'complete')]),
        ],
      },
      {
        match: 'get pods -l job-name -o json',
        responses: [
          kube.list([]),
          kube.list([kube.pod(CM, schemas('running'), ['job-done=pending'])]),
          kube.list([kube.pod(CM, schemas('done', 'done', 'running'), ['job-done=pending'])]),
          kube.list([
            kube.pod(CM, schemas('done', 'done', 'done', 'done'), ['job-done=done']),
            kube.pod(
              ES,
              ['brig-index-create=running', 'brig-index-update-mapping=pending'],
              ['done=pending'],
            ),
          ]),
          kube.list([
            kube.pod(CM, schemas('done', 'done', 'done', 'done'), ['job-done=done']),
            kube.pod(ES, ['brig-index-create=done', 'brig-index-update-mapping=done'], ['done=done']),
          ]),
        ],
      },
    ]);
    const progress: string[] = [];
    const report = await watchMigrations(host, KUBECONFIG, 'default', {
      jobs: [CM, ES],
      pollIntervalMs: 10,
      onProgress: (event) => progress.push(describeProgress(event)),
    });
    expect(report).toEqual({ outcome: 'complete', completed: [CM, ES], failure: undefined });
    expect(progress).toEqual([
      `${CM}: started`,
      `${CM}: gundeck-schema running (1 of 5)`,
      `${CM}: gundeck-schema finished (1 of 5)`,
      `${CM}: brig-schema running (2 of 5)`,
      `${CM}: brig-schema finished (2 of 5)`,
      `${CM}: galley-schema running (3 of 5)`,
      `${CM}: galley-schema finished (3 of 5)`,
      `${CM}: spar-schema running (4 of 5)`,
      `${CM}: spar-schema finished (4 of 5)`,
      `${CM}: job-done running (5 of 5)`,
      `${CM}: job-done finished (5 of 5)`,
      `${CM}: complete`,
      `${ES}: started`,
      `${ES}: brig-index-create running (1 of 3)`,
      `${ES}: brig-index-create finished (1 of 3)`,
      `${ES}: brig-index-update-mapping running (2 of 3)`,
      `${ES}: brig-index-update-mapping finished (2 of 3)`,
      `${ES}: done running (3 of 3)`,
      `${ES}: done finished (3 of 3)`,
      `${ES}: complete`,
    ]);
    // Two calls a round, five rounds, in the namespace asked for.
    expect(standIn.calls()).toHaveLength(10);
    expect(standIn.calls()[0]).toEqual(['-n', 'default', 'get', 'jobs', '-o', 'json']);
    expect(standIn.calls()[1]).toEqual(['-n', 'default', 'get', 'pods', '-l', 'job-name', '-o', 'json']);
  });

  it('fails a job that reached its backoff limit, naming the failed init container, its log tail and the likely cause', async () => {
    const { host, standIn } = setup([
      {
        match: 'get jobs -o json',
        responses: [kube.list([kube.job(CM, 'running')]), kube.list([kube.job(CM, 'failed')])],
      },
      {
        match: 'get pods -l job-name -o json',
        responses: [
          kube.list([kube.pod(CM, schemas('done', 'running'), ['job-done=pending'])]),
          kube.list([kube.pod(CM, schemas('done', 'crashloop'), ['job-done=pending'])]),
        ],
      },
      {
        match: 'logs',
        responses: [
          {
            stdout:
              'I, Migration 42 brig\nE, Cannot achieve consistency level ALL\nbrig-schema: CassandraError "Unavailable"\n',
          },
        ],
      },
    ]);
    const progress: string[] = [];
    const error = await failureOf(
      watchMigrations(host, KUBECONFIG, 'default', {
        jobs: [CM],
        pollIntervalMs: 10,
        onProgress: (event) => progress.push(describeProgress(event)),
      }),
    );
    expect(error.what).toBe(
      `migration job ${CM} failed in container brig-schema (BackoffLimitExceeded: Job has reached the specified backoff limit)`,
    );
    expect(error.evidence).toContain('| E, Cannot achieve consistency level ALL');
    expect(error.evidence.some((line) => line.startsWith('likely cause: a Cassandra node is down'))).toBe(
      true,
    );
    expect(error.next).toContain('nodetool status');
    expect(progress).toContain(`${CM}: brig-schema failed (exit code 1), Kubernetes retries it`);
    // The failed run restarted since: its log is the previous container's.
    expect(standIn.calls().at(-1)).toEqual([
      '-n',
      'default',
      'logs',
      `${CM}-x7k2p`,
      '-c',
      'brig-schema',
      '--tail=20',
      '--previous',
    ]);
  });

  it('times out naming the container it is stuck in, with its log and the matching cause', async () => {
    const { host } = setup([
      { match: 'get jobs -o json', responses: [kube.list([kube.job(CM, 'running')])] },
      {
        match: 'get pods -l job-name -o json',
        responses: [kube.list([kube.pod(CM, schemas('done', 'done', 'running'), ['job-done=pending'])])],
      },
      { match: 'logs', responses: [{ stdout: 'galley-schema: cql-io: response timeout\n' }] },
    ]);
    const started = Date.now();
    const error = await failureOf(
      watchMigrations(host, KUBECONFIG, 'default', { jobs: [CM], pollIntervalMs: 20, timeoutMs: 400 }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(error.what).toBe(
      `migration job ${CM} did not finish within 400 ms: stuck in container galley-schema`,
    );
    expect(error.evidence).toContain('| galley-schema: cql-io: response timeout');
    expect(error.evidence.some((line) => line.includes('Cassandra does not answer on 9042'))).toBe(true);
  });

  it("ignores an earlier install's completed jobs (hook jobs stay until the next install)", async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const { host } = setup([
      { match: 'get jobs -o json', responses: [kube.list([kube.job(CM, 'complete', yesterday)])] },
      { match: 'get pods -l job-name -o json', responses: [kube.list([])] },
    ]);
    const error = await failureOf(
      watchMigrations(host, KUBECONFIG, 'default', { jobs: [CM], pollIntervalMs: 20, timeoutMs: 150 }),
    );
    expect(error.what).toBe(
      `the migration jobs did not start within 150 ms: none of ${CM} appeared in namespace default`,
    );
  });

  it('returns when helm ends (aborted), with the failure it finds at a last look', async () => {
    const { host } = setup([
      { match: 'get jobs -o json', responses: [kube.list([kube.job(CM, 'running')])] },
      {
        match: 'get pods -l job-name -o json',
        responses: [
          kube.list([kube.pod(CM, schemas('running'), ['job-done=pending'])]),
          kube.list([kube.pod(CM, schemas('failed'), ['job-done=pending'])]),
        ],
      },
      {
        match: 'logs',
        responses: [{ stdout: 'Network.Socket.getAddrInfo: does not exist (Name or service not known)\n' }],
      },
    ]);
    const controller = new AbortController();
    const report = await watchMigrations(host, KUBECONFIG, 'default', {
      jobs: [CM],
      pollIntervalMs: 60_000,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(report.outcome).toBe('aborted');
    expect(report.failure).toMatchObject({ job: CM, container: 'gundeck-schema', exitCode: 1 });
    expect(report.failure?.causes.map((c) => c.id)).toEqual(['dns']);
  });
});
