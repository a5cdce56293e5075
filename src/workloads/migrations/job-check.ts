import { existsSync } from 'node:fs';
import { kubectl } from '../../cluster/kubectl.js';
import { WireInstallError } from '../../core/errors.js';
import { shellQuote } from '../../hosts/become.js';
import type { RemoteHost } from '../../hosts/types.js';
import type { Operation, OperationContext, OperationOutcome } from '../../operations/types.js';
import { explainJob, failureHeadline, migrationError } from './failure-report.js';
import { type JobSummary, newestPod, parseJobs, parsePods } from './kube-objects.js';
import { watchMigrations } from './watch.js';

/**
 * One migration job confirmed after helm installed wire-server (the migrations stage): it must
 * exist and be Complete (finished hook jobs stay until the next install, docs/wire/migrations.md#migration-jobs). A failed
 * job fails the step with the failed container, its log tail and the likely causes; a job still
 * running (a post-install hook) is followed to its end with watchMigrations.
 */
export const WIRE_NAMESPACE = 'default';

type JobLook = { found: false; stderr: string } | { found: true; job: JobSummary };

async function lookAtJob(
  host: RemoteHost,
  kubeconfigPath: string,
  namespace: string,
  job: string,
): Promise<JobLook> {
  const result = await host.exec(
    kubectl(kubeconfigPath, `-n ${shellQuote(namespace)} get job ${shellQuote(job)} -o json`),
  );
  if (result.exitCode !== 0) {
    if (/NotFound|not found/.test(result.stderr)) return { found: false, stderr: result.stderr.trim() };
    throw new WireInstallError({
      what: `kubectl get job ${job} failed (exit code ${result.exitCode})`,
      evidence: result.stderr.trim().split('\n').slice(-5),
      next: `check the cluster answers: kubectl --kubeconfig ${kubeconfigPath} get nodes`,
    });
  }
  const [summary] = parseJobs(result.stdout);
  if (!summary) throw new Error(`kubectl get job ${job} answered no job`);
  return { found: true, job: summary };
}

/** A failed job explained from its newest pod: the failed container, its log tail, the likely causes (doctor reads it too). */
export async function failureOf(
  host: RemoteHost,
  kubeconfigPath: string,
  namespace: string,
  job: JobSummary,
) {
  const pods = await host.exec(
    kubectl(
      kubeconfigPath,
      `-n ${shellQuote(namespace)} get pods -l job-name=${shellQuote(job.name)} -o json`,
    ),
  );
  const pod = pods.exitCode === 0 ? newestPod(parsePods(pods.stdout), job.name) : undefined;
  return explainJob(host, kubeconfigPath, namespace, job, pod);
}

export interface JobCheckOptions {
  namespace?: string;
  /** How long a job still running is followed (default: the watch's 15 minutes). */
  timeoutMs?: number;
  pollIntervalMs?: number;
}

export function migrationJobCheck(
  job: string,
  kubeconfigPath: string,
  options: JobCheckOptions = {},
): Operation {
  const namespace = options.namespace ?? WIRE_NAMESPACE;
  const notes = (...lines: string[]): OperationOutcome => ({ changes: [], notes: lines });
  return {
    kind: 'check',
    target: `job ${job}`,
    inputs: { check: 'migration-job', job, namespace },
    // A plan says what it sees; before wire-server is installed there is nothing to see yet.
    async check(context: OperationContext) {
      if (!existsSync(kubeconfigPath))
        return notes(`job ${job} is checked once kubernetes.admin-kubeconfig wrote ${kubeconfigPath}`);
      const look = await lookAtJob(context.host, kubeconfigPath, namespace, job);
      if (!look.found)
        return notes(`job ${job} does not exist yet: helm creates it while installing wire-server`);
      if (look.job.state === 'complete') return notes();
      if (look.job.state === 'running') return notes(`job ${job} is still running`);
      const failure = await failureOf(context.host, kubeconfigPath, namespace, look.job);
      return notes(`${failureHeadline(failure)} (apply fails this step with its log)`);
    },
    async apply(context: OperationContext) {
      const look = await lookAtJob(context.host, kubeconfigPath, namespace, job);
      if (!look.found)
        throw new WireInstallError({
          what: `migration job ${job} does not exist in namespace ${namespace}`,
          evidence: [look.stderr],
          next: 'run apply with workloads.wire-server first (helm creates the hook jobs); kubectl get jobs',
        });
      if (look.job.state === 'failed')
        throw migrationError(
          'a migration failed',
          await failureOf(context.host, kubeconfigPath, namespace, look.job),
        );
      if (look.job.state === 'running')
        await watchMigrations(context.host, kubeconfigPath, namespace, {
          jobs: [job],
          since: look.job.created ?? new Date(0),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
        });
      return notes();
    },
  };
}
