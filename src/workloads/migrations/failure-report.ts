import { kubectl } from '../../cluster/kubectl.js';
import { WireInstallError } from '../../core/errors.js';
import { shellQuote } from '../../hosts/become.js';
import type { RemoteHost } from '../../hosts/types.js';
import { lastLines } from '../../operations/run.js';
import { type ContainerStep, failedStep, type JobSummary, type PodSummary } from './kube-objects.js';
import { GENERAL_CHECK, type LikelyCause, likelyCauses } from './likely-causes.js';

/**
 * A failed (or stuck) migration job explained: which container, its last log lines (kubectl
 * logs -c <container>, docs/wire/migrations.md#debugging-a-failed-migration) and the likely causes matched on them.
 */
export interface MigrationFailure {
  job: string;
  pod: string | undefined;
  container: string | undefined;
  exitCode: number | undefined;
  /** CrashLoopBackOff, Error, BackoffLimitExceeded, or "still running" for a timeout. */
  reason: string | undefined;
  logTail: string[];
  causes: LikelyCause[];
}

/** How many log lines a failure shows. */
export const LOG_TAIL_LINES = 20;

/** The container's last log lines; a failed run that restarted since is read with --previous. */
export async function containerLogTail(
  host: RemoteHost,
  kubeconfigPath: string,
  namespace: string,
  pod: string,
  step: ContainerStep,
  lines = LOG_TAIL_LINES,
): Promise<string[]> {
  const previous = step.failedBefore && step.state !== 'running' ? ' --previous' : '';
  const args = `-n ${shellQuote(namespace)} logs ${shellQuote(pod)} -c ${shellQuote(step.name)} --tail=${lines}${previous}`;
  const result = await host.exec(kubectl(kubeconfigPath, args));
  if (result.exitCode !== 0) return [`(kubectl logs failed: ${result.stderr.trim().split('\n')[0] ?? ''})`];
  return lastLines(result.stdout, lines);
}

/**
 * The failure of `job` from its pod: the failed container, or for a job that is still running
 * (a timeout) the container it is at. Reads that container's log.
 */
export async function explainJob(
  host: RemoteHost,
  kubeconfigPath: string,
  namespace: string,
  job: JobSummary | { name: string; reason?: string | undefined },
  pod: PodSummary | undefined,
  stuck: ContainerStep | undefined = undefined,
): Promise<MigrationFailure> {
  const step = pod ? (failedStep(pod) ?? stuck) : undefined;
  const logTail = pod && step ? await containerLogTail(host, kubeconfigPath, namespace, pod.name, step) : [];
  return {
    job: job.name,
    pod: pod?.name,
    container: step?.name,
    exitCode: step?.exitCode,
    reason: step?.reason ?? job.reason,
    logTail,
    causes: likelyCauses(logTail.join('\n')),
  };
}

export function failureHeadline(failure: MigrationFailure): string {
  const where = failure.container ? ` in container ${failure.container}` : '';
  const exit = failure.exitCode !== undefined ? `, exit code ${failure.exitCode}` : '';
  const reason = failure.reason ? `, ${failure.reason}` : '';
  return `migration job ${failure.job}${where}${exit}${reason}`;
}

/** The failure as evidence lines: where, the log tail, the likely causes with what to check. */
export function failureEvidence(failure: MigrationFailure): string[] {
  const logs = failure.container
    ? [
        `last log lines of ${failure.pod} -c ${failure.container}:`,
        ...failure.logTail.map((line) => `| ${line}`),
      ]
    : [`no pod of ${failure.job} left to read logs from (Helm may have deleted it)`];
  const causes =
    failure.causes.length > 0
      ? failure.causes.map((c) => `likely cause: ${c.cause}; check: ${c.check}`)
      : ['likely cause: not recognised in the log'];
  return [...logs, ...causes];
}

export function failureNext(failure: MigrationFailure): string {
  return failure.causes[0]?.check ?? GENERAL_CHECK;
}

export function migrationError(what: string, failure: MigrationFailure): WireInstallError {
  return new WireInstallError({
    what: `${what}: ${failureHeadline(failure)}`,
    evidence: failureEvidence(failure),
    next: failureNext(failure),
  });
}
