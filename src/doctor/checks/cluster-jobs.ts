import { MIGRATION_JOBS } from '../../wire/migration-jobs.js';
import {
  failureEvidence,
  failureHeadline,
  failureNext,
  type MigrationFailure,
} from '../../workloads/migrations/failure-report.js';
import { failureOf, WIRE_NAMESPACE } from '../../workloads/migrations/job-check.js';
import { type JobSummary, parseJobs } from '../../workloads/migrations/kube-objects.js';
import { errorResult, fail, pass, warn } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { hideSecrets, kubeconfigOf, kubectlCommand, noClusterReason } from './cluster-kubectl.js';

/**
 * cluster.jobs: wire-server's hook jobs (cassandra-migrations, elasticsearch-index-create, the
 * migrate-data jobs; docs/wire/migrations.md#migration-jobs) Complete. They stay until the next helm upgrade, so a failed one
 * still shows why: the failed container and its log tail, with the likely causes the
 * migrations stage matches on it (src/workloads/migrations/).
 */
const ID = 'cluster.jobs';
const WIRE_SERVER_STEP = 'workloads.wire-server';

export function jobResult(
  name: string,
  job: JobSummary | undefined,
  failure: MigrationFailure | undefined,
  hidden: (lines: string[]) => string[] = (lines) => lines,
): DoctorResult {
  if (!job)
    return warn(
      ID,
      `job ${name} not found`,
      'helm status wire-server; kubectl get jobs (the hook jobs of the last helm upgrade stay until the next one)',
      { evidence: [`kubectl -n ${WIRE_NAMESPACE} get jobs: no ${name}`] },
    );
  if (job.state === 'complete')
    return pass(ID, `job ${name} is Complete`, {
      evidence: job.created ? [`created ${job.created.toISOString()}`] : [],
    });
  if (job.state === 'running')
    return warn(ID, `job ${name} is still running`, `kubectl -n ${WIRE_NAMESPACE} logs job/${name} -f`, {
      evidence: ['no Complete or Failed condition yet'],
    });
  const evidence = failure
    ? hidden(failureEvidence(failure))
    : [`${job.reason ?? 'Failed'}: ${job.message ?? ''}`];
  return fail(
    ID,
    failure ? failureHeadline(failure) : `job ${name} failed`,
    `${failure ? failureNext(failure) : `kubectl -n ${WIRE_NAMESPACE} describe job ${name}`}; then wire-install apply --only migrations.${name}`,
    { evidence },
  );
}

async function listJobs(context: DoctorContext): Promise<JobSummary[]> {
  const args = `-n ${WIRE_NAMESPACE} get jobs -o json`;
  const result = await context.admin.exec(kubectlCommand(context, args), { signal: context.signal });
  if (result.exitCode !== 0)
    throw new Error(`kubectl ${args} failed (exit code ${result.exitCode})\n${result.stderr.trim()}`);
  return parseJobs(result.stdout);
}

export const clusterJobs: DoctorCheck = {
  id: ID,
  group: 'cluster',
  title: "wire-server's hook jobs (schema migrations, index creation, data migrations) Complete",
  needsHosts: false,
  skipReason(context) {
    const noCluster = noClusterReason(context);
    if (noCluster) return noCluster;
    if (!context.installed.succeededSteps.has(WIRE_SERVER_STEP))
      return `wire-server is not installed yet (${WIRE_SERVER_STEP} has not succeeded): helm creates the hook jobs`;
    return undefined;
  },
  async run(context) {
    let jobs: JobSummary[];
    try {
      jobs = await listJobs(context);
    } catch (error) {
      return [errorResult(ID, 'the jobs could not be listed', error)];
    }
    const results: DoctorResult[] = [];
    for (const { job: name } of MIGRATION_JOBS) {
      const job = jobs.find((candidate) => candidate.name === name);
      const failure =
        job?.state === 'failed'
          ? await failureOf(context.admin, kubeconfigOf(context), WIRE_NAMESPACE, job)
          : undefined;
      results.push(jobResult(name, job, failure, (lines) => hideSecrets(context, lines)));
    }
    return results;
  },
};
