import { kubectl } from '../../cluster/kubectl.js';
import { WireInstallError } from '../../core/errors.js';
import { shellQuote } from '../../hosts/become.js';
import type { RemoteHost } from '../../hosts/types.js';
import { runOrFail } from '../../operations/run.js';
import { MIGRATION_JOBS } from '../../wire/migration-jobs.js';
import { explainJob, failureEvidence, failureNext, type MigrationFailure } from './failure-report.js';
import {
  currentStep,
  failedStep,
  type JobSummary,
  newestPod,
  type PodSummary,
  parseJobs,
  parsePods,
} from './kube-objects.js';

/**
 * Follows wire-server's migration hook jobs while `helm upgrade --install wire-server` runs
 * (docs/wire/migrations.md#migration-jobs): cassandra-migrations with its init containers one after another, then
 * elasticsearch-index-create, then the migrate-data jobs. Helm itself only says "timed out
 * waiting for the condition" (docs/wire/known-problems.md#helm-hook-timeout); this says which container runs, which finished,
 * and on failure which container failed, its last log lines and the likely causes.
 *
 * Polls with kubectl on the admin host: `get jobs -o json` and `get pods -l job-name -o json`
 * in the namespace, two calls a round. The wire-server helm step runs it beside helm and aborts
 * it through `signal` when helm ends: it then returns what it saw (and, after one last look, a
 * failure it found), instead of throwing.
 */

export type MigrationProgress =
  | { kind: 'job-started'; job: string }
  | { kind: 'container-running'; job: string; container: string; index: number; total: number }
  | { kind: 'container-finished'; job: string; container: string; index: number; total: number }
  | { kind: 'container-retrying'; job: string; container: string; exitCode: number | undefined }
  | { kind: 'job-complete'; job: string };

export interface WatchMigrationsOptions {
  /** Helm ended: stop watching and return. */
  signal?: AbortSignal;
  onProgress?: (event: MigrationProgress) => void;
  /** Give up (and fail, naming the container it is stuck at) after this long. Default 15 minutes. */
  timeoutMs?: number;
  /** Between two rounds of kubectl calls. Default 3 s. */
  pollIntervalMs?: number;
  /** The jobs to follow, in order. Default: wire-server's (src/wire/migration-jobs.ts). */
  jobs?: readonly string[];
  /**
   * Jobs created before this are an earlier install's (hook jobs stay until the next one,
   * docs/wire/migrations.md#migration-jobs) and are ignored. Default: the watch's start less CLOCK_TOLERANCE_MS. The helm
   * step passes the time just before `helm upgrade` started.
   */
  since?: Date;
}

export interface MigrationsReport {
  outcome: 'complete' | 'aborted';
  /** Jobs seen complete, in the order they completed. */
  completed: string[];
  /** After an abort: a job that had failed or a container that was failing at the last look. */
  failure: MigrationFailure | undefined;
}

/** The migrations' own timeout: Wire runs wire-server's helm with --timeout 15m (docs/wire/migrations.md#migration-jobs, docs/wire/known-problems.md#helm-hook-timeout). */
export const MIGRATIONS_TIMEOUT_MS = 15 * 60 * 1000;
const POLL_INTERVAL_MS = 3000;
/** The admin host's clock against the API server's: a job created this much "before" the start is still new. */
export const CLOCK_TOLERANCE_MS = 30_000;

/** 15 min, 90 s, 500 ms. */
export function duration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

export function describeProgress(event: MigrationProgress): string {
  switch (event.kind) {
    case 'job-started':
      return `${event.job}: started`;
    case 'container-running':
      return `${event.job}: ${event.container} running (${event.index} of ${event.total})`;
    case 'container-finished':
      return `${event.job}: ${event.container} finished (${event.index} of ${event.total})`;
    case 'container-retrying':
      return `${event.job}: ${event.container} failed (exit code ${event.exitCode ?? '?'}), Kubernetes retries it`;
    case 'job-complete':
      return `${event.job}: complete`;
  }
}

interface Round {
  jobs: Map<string, JobSummary>;
  pods: PodSummary[];
}

async function look(host: RemoteHost, kubeconfigPath: string, namespace: string, signal?: AbortSignal) {
  const ns = `-n ${shellQuote(namespace)}`;
  const options = signal ? { signal } : {};
  const jobs = await runOrFail(
    host,
    'listing the hook jobs',
    kubectl(kubeconfigPath, `${ns} get jobs -o json`),
    options,
  );
  const pods = await runOrFail(
    host,
    "listing the hook jobs' pods",
    kubectl(kubeconfigPath, `${ns} get pods -l job-name -o json`),
    options,
  );
  return { jobs: parseJobs(jobs.stdout), pods: parsePods(pods.stdout) };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Emits each progress event once, in the order things happened. */
function progressTracker(onProgress: (event: MigrationProgress) => void) {
  const seen = new Set<string>();
  const once = (key: string, event: MigrationProgress) => {
    if (seen.has(key)) return;
    seen.add(key);
    onProgress(event);
  };
  return (job: string, summary: JobSummary | undefined, pod: PodSummary | undefined) => {
    if (!summary && !pod) return;
    once(`${job}/started`, { kind: 'job-started', job });
    const total = pod?.steps.length ?? 0;
    pod?.steps.forEach((step, i) => {
      const at = { job, container: step.name, index: i + 1, total };
      if (step.state === 'running' || step.state === 'done' || step.restarts > 0)
        once(`${job}/${pod.name}/${step.name}/running`, { kind: 'container-running', ...at });
      if (step.failedBefore || step.state === 'failed')
        once(`${job}/${pod.name}/${step.name}/failed/${step.restarts}`, {
          kind: 'container-retrying',
          job,
          container: step.name,
          exitCode: step.exitCode,
        });
      if (step.state === 'done')
        once(`${job}/${pod.name}/${step.name}/done`, { kind: 'container-finished', ...at });
    });
    if (summary?.state === 'complete') once(`${job}/complete`, { kind: 'job-complete', job });
  };
}

export async function watchMigrations(
  host: RemoteHost,
  kubeconfigPath: string,
  namespace: string,
  options: WatchMigrationsOptions = {},
): Promise<MigrationsReport> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? MIGRATIONS_TIMEOUT_MS;
  const interval = options.pollIntervalMs ?? POLL_INTERVAL_MS;
  const watched = options.jobs ?? MIGRATION_JOBS.map((job) => job.job);
  const since = (options.since?.getTime() ?? started) - CLOCK_TOLERANCE_MS;
  const track = progressTracker(options.onProgress ?? (() => {}));
  const completed: string[] = [];
  const isNew = (created: Date | undefined) => created === undefined || created.getTime() >= since;

  const round = async (signal?: AbortSignal): Promise<Round> => {
    const seen = await look(host, kubeconfigPath, namespace, signal);
    const jobs = new Map(
      seen.jobs
        .filter((job) => watched.includes(job.name) && isNew(job.created))
        .map((job) => [job.name, job]),
    );
    return { jobs, pods: seen.pods.filter((pod) => isNew(pod.created)) };
  };

  const failureIn = async (state: Round): Promise<MigrationFailure | undefined> => {
    for (const name of watched) {
      const job = state.jobs.get(name);
      const pod = newestPod(state.pods, name);
      if (job?.state === 'failed' || (pod && failedStep(pod)))
        return explainJob(host, kubeconfigPath, namespace, job ?? { name }, pod);
    }
    return undefined;
  };

  const aborted = async (): Promise<MigrationsReport> => {
    // Helm ended: one last look (not cancelled) for a failure to explain, e.g. after
    // "job failed: BackoffLimitExceeded"; the pod may already be gone.
    let failure: MigrationFailure | undefined;
    try {
      failure = await failureIn(await round());
    } catch {
      failure = undefined;
    }
    return { outcome: 'aborted', completed, failure };
  };

  while (true) {
    if (options.signal?.aborted) return aborted();
    let state: Round;
    try {
      state = await round(options.signal);
    } catch (error) {
      if (options.signal?.aborted) return aborted();
      throw error;
    }
    for (const name of watched) {
      const job = state.jobs.get(name);
      track(name, job, newestPod(state.pods, name));
      if (job?.state === 'complete' && !completed.includes(name)) completed.push(name);
    }
    const failedJob = watched.map((name) => state.jobs.get(name)).find((job) => job?.state === 'failed');
    if (failedJob) {
      const failure = await explainJob(
        host,
        kubeconfigPath,
        namespace,
        failedJob,
        newestPod(state.pods, failedJob.name),
      );
      throw new WireInstallError({
        what: `migration job ${failedJob.name} failed${failure.container ? ` in container ${failure.container}` : ''} (${failedJob.reason ?? 'Failed'}${failedJob.message ? `: ${failedJob.message}` : ''})`,
        evidence: failureEvidence(failure),
        next: failureNext(failure),
      });
    }
    if (watched.every((name) => completed.includes(name)))
      return { outcome: 'complete', completed, failure: undefined };
    if (Date.now() - started >= timeoutMs) throw await timedOut(state);
    await sleep(interval, options.signal);
  }

  async function timedOut(state: Round): Promise<WireInstallError> {
    const waiting = watched.filter((name) => !completed.includes(name));
    const stuckName = waiting.find((name) => state.jobs.has(name) || newestPod(state.pods, name));
    const minutes = duration(timeoutMs);
    if (!stuckName)
      return new WireInstallError({
        what: `the migration jobs did not start within ${minutes}: none of ${waiting.join(', ')} appeared in namespace ${namespace}`,
        evidence: [`completed: ${completed.join(', ') || 'none'}`],
        next: 'kubectl get jobs,pods; helm status wire-server (a failing earlier hook or a pending image keeps them from starting)',
      });
    const pod = newestPod(state.pods, stuckName);
    const stuck = pod ? currentStep(pod) : undefined;
    const failure = await explainJob(host, kubeconfigPath, namespace, { name: stuckName }, pod, stuck);
    return new WireInstallError({
      what: `migration job ${stuckName} did not finish within ${minutes}${failure.container ? `: stuck in container ${failure.container}` : ''}`,
      evidence: [`completed: ${completed.join(', ') || 'none'}`, ...failureEvidence(failure)],
      next: failureNext(failure),
    });
  }
}
