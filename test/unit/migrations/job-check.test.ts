import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localHost } from '../../../src/hosts/local-host.js';
import type { OperationContext } from '../../../src/operations/types.js';
import { migrationJobCheck } from '../../../src/workloads/migrations/job-check.js';
import { kube, type ReplayRule, standInKubectlReplay } from '../../support/stand-in-kubectl-replay.js';

/** The migrations.<job> steps' check, against a STAND-IN kubectl replaying canned answers. */

function setup(script: ReplayRule[]) {
  const dir = mkdtempSync(join(tmpdir(), 'wil-job-'));
  const standIn = standInKubectlReplay(dir, script);
  const kubeconfig = join(dir, 'admin.conf');
  writeFileSync(kubeconfig, 'apiVersion: v1\n', { mode: 0o600 });
  const host = localHost({ env: { ...process.env, PATH: `${standIn.bin}:${process.env.PATH}` } });
  const context = { host, changedPaths: new Set<string>() } as unknown as OperationContext;
  return { context, standIn, kubeconfig };
}

const notFound = {
  stderr: 'Error from server (NotFound): jobs.batch "spar-migrate-data" not found\n',
  exit: 1,
};

describe('migrations.<job>', () => {
  it('passes a Complete job, asking for it by name in the namespace', async () => {
    const { context, standIn, kubeconfig } = setup([
      {
        match: 'get job spar-migrate-data',
        responses: [{ stdout: JSON.stringify(kube.job('spar-migrate-data', 'complete')) }],
      },
    ]);
    const outcome = await migrationJobCheck('spar-migrate-data', kubeconfig).apply(context);
    expect(outcome).toEqual({ changes: [], notes: [] });
    expect(standIn.calls()).toEqual([['-n', 'default', 'get', 'job', 'spar-migrate-data', '-o', 'json']]);
  });

  it('fails a failed job with its failed container, the log tail and the likely cause', async () => {
    const job = 'elasticsearch-index-create';
    const { context, kubeconfig } = setup([
      { match: `get job ${job}`, responses: [{ stdout: JSON.stringify(kube.job(job, 'failed')) }] },
      {
        match: `get pods -l job-name=${job}`,
        responses: [
          kube.list([
            kube.pod(
              job,
              ['brig-index-create=failed', 'brig-index-update-mapping=pending'],
              ['done=pending'],
            ),
          ]),
        ],
      },
      {
        match: 'logs',
        responses: [
          {
            stdout:
              'HttpError 401 {"type":"security_exception","reason":"missing authentication credentials"}\n',
          },
        ],
      },
    ]);
    await expect(migrationJobCheck(job, kubeconfig).apply(context)).rejects.toMatchObject({
      what: `a migration failed: migration job ${job} in container brig-index-create, exit code 1, Error`,
      evidence: expect.arrayContaining([
        expect.stringContaining('| HttpError 401'),
        expect.stringMatching(/^likely cause: Elasticsearch requires authentication/),
      ]),
      next: expect.stringContaining('elasticsearch-index.secrets.elasticsearch'),
    });
  });

  it('in a plan, a job helm has not created yet is a note; in apply it fails', async () => {
    const { context, kubeconfig } = setup([{ match: 'get job', responses: [notFound] }]);
    const operation = migrationJobCheck('spar-migrate-data', kubeconfig);
    expect((await operation.check(context)).notes).toEqual([
      'job spar-migrate-data does not exist yet: helm creates it while installing wire-server',
    ]);
    await expect(operation.apply(context)).rejects.toMatchObject({
      what: 'migration job spar-migrate-data does not exist in namespace default',
    });
  });

  it('follows a job still running until it completes', async () => {
    const job = 'brig-index-migrate-data';
    const { context, standIn, kubeconfig } = setup([
      { match: `get job ${job}`, responses: [{ stdout: JSON.stringify(kube.job(job, 'running')) }] },
      {
        match: 'get jobs',
        responses: [kube.list([kube.job(job, 'running')]), kube.list([kube.job(job, 'complete')])],
      },
      { match: 'get pods -l job-name', responses: [kube.list([])] },
    ]);
    await migrationJobCheck(job, kubeconfig, { pollIntervalMs: 10 }).apply(context);
    expect(standIn.calls().filter((call) => call.includes('jobs'))).toHaveLength(2);
  });
});
