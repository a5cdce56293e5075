/**
 * The parts of kubectl's JSON (`get jobs -o json`, `get pods -o json`) that the migration
 * watch and the checks read: a hook Job's state, and its pod's containers one by one, init
 * containers first and in their order (cassandra-migrations runs gundeck-schema, brig-schema,
 * galley-schema, spar-schema one after another, docs/wire/migrations.md#migration-jobs). Pure: text in, summaries out.
 */

export type JobState = 'running' | 'complete' | 'failed';

export interface JobSummary {
  name: string;
  created: Date | undefined;
  state: JobState;
  /** The Failed condition's reason and message (e.g. BackoffLimitExceeded), when failed. */
  reason: string | undefined;
  message: string | undefined;
}

export type StepState = 'pending' | 'waiting' | 'running' | 'done' | 'failed';

export interface ContainerStep {
  name: string;
  init: boolean;
  state: StepState;
  /** The exit code of the current or, when restarted, the last terminated run. */
  exitCode: number | undefined;
  /** Why it waits or failed: CrashLoopBackOff, Error, ImagePullBackOff... */
  reason: string | undefined;
  restarts: number;
  /** The failed run is the previous one (the container restarted since): logs need --previous. */
  failedBefore: boolean;
}

export interface PodSummary {
  name: string;
  /** The job-name label Kubernetes puts on a Job's pods. */
  job: string | undefined;
  created: Date | undefined;
  phase: string;
  /** Init containers in order, then the main containers. */
  steps: ContainerStep[];
}

interface Terminated {
  exitCode?: number;
  reason?: string;
}
interface ContainerStatusJson {
  name: string;
  state?: { running?: object; waiting?: { reason?: string }; terminated?: Terminated };
  lastState?: { terminated?: Terminated };
  restartCount?: number;
}
interface PodJson {
  metadata?: { name?: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec?: { initContainers?: { name: string }[]; containers?: { name: string }[] };
  status?: {
    phase?: string;
    initContainerStatuses?: ContainerStatusJson[];
    containerStatuses?: ContainerStatusJson[];
  };
}
interface JobJson {
  metadata?: { name?: string; creationTimestamp?: string };
  status?: {
    active?: number;
    succeeded?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/** kubectl's output as JSON, or an error that says which command answered what. */
export function parseKubectlJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const start = text.trim().slice(0, 120);
    throw new Error(`kubectl ${what} did not answer JSON: ${start || '(empty output)'}`);
  }
}

const date = (text: string | undefined) => (text ? new Date(text) : undefined);

function items<T>(value: unknown): T[] {
  const list = (value as { items?: unknown } | null)?.items;
  return Array.isArray(list) ? (list as T[]) : [];
}

export function jobSummary(job: JobJson): JobSummary {
  const condition = (type: string) =>
    job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  const failed = condition('Failed');
  const complete = condition('Complete');
  return {
    name: job.metadata?.name ?? '',
    created: date(job.metadata?.creationTimestamp),
    state: failed ? 'failed' : complete ? 'complete' : 'running',
    reason: failed?.reason,
    message: failed?.message,
  };
}

/** `kubectl get jobs -o json` (a list) or `get job <name> -o json` (one). */
export function parseJobs(text: string): JobSummary[] {
  const value = parseKubectlJson(text, 'get jobs');
  if ((value as { kind?: string }).kind === 'Job') return [jobSummary(value as JobJson)];
  return items<JobJson>(value).map(jobSummary);
}

function step(name: string, init: boolean, status: ContainerStatusJson | undefined): ContainerStep {
  const state = status?.state ?? {};
  const last = status?.lastState?.terminated;
  const restarts = status?.restartCount ?? 0;
  const base = { name, init, restarts, failedBefore: false };
  if (state.terminated) {
    const exitCode = state.terminated.exitCode ?? 0;
    return { ...base, state: exitCode === 0 ? 'done' : 'failed', exitCode, reason: state.terminated.reason };
  }
  // restartPolicy OnFailure (docs/wire/migrations.md#migration-jobs): a failed run restarts the container; the failure is in
  // lastState, and CrashLoopBackOff is the kubelet waiting before the next try.
  const failedBefore = last !== undefined && (last.exitCode ?? 0) !== 0;
  const exitCode = failedBefore ? last?.exitCode : undefined;
  if (state.running) return { ...base, state: 'running', exitCode, reason: undefined, failedBefore };
  if (state.waiting) {
    const reason = state.waiting.reason;
    const broken = failedBefore || reason === 'CrashLoopBackOff';
    return { ...base, state: broken ? 'failed' : 'waiting', exitCode, reason, failedBefore };
  }
  return { ...base, state: 'pending', exitCode: undefined, reason: undefined };
}

export function podSummary(pod: PodJson): PodSummary {
  const statuses = (list: ContainerStatusJson[] | undefined) => new Map((list ?? []).map((s) => [s.name, s]));
  const initStatuses = statuses(pod.status?.initContainerStatuses);
  const mainStatuses = statuses(pod.status?.containerStatuses);
  // The spec gives the order; a pod without spec (trimmed output) falls back to the statuses'.
  const initNames = pod.spec?.initContainers?.map((c) => c.name) ?? [...initStatuses.keys()];
  const mainNames = pod.spec?.containers?.map((c) => c.name) ?? [...mainStatuses.keys()];
  return {
    name: pod.metadata?.name ?? '',
    job: pod.metadata?.labels?.['job-name'],
    created: date(pod.metadata?.creationTimestamp),
    phase: pod.status?.phase ?? 'Unknown',
    steps: [
      ...initNames.map((name) => step(name, true, initStatuses.get(name))),
      ...mainNames.map((name) => step(name, false, mainStatuses.get(name))),
    ],
  };
}

export function parsePods(text: string): PodSummary[] {
  return items<PodJson>(parseKubectlJson(text, 'get pods')).map(podSummary);
}

/** The container that failed in a pod (the first in order), if any. */
export function failedStep(pod: PodSummary): ContainerStep | undefined {
  return pod.steps.find((s) => s.state === 'failed');
}

/** The container the pod is at: the first not done (init containers run one after another). */
export function currentStep(pod: PodSummary): ContainerStep | undefined {
  return pod.steps.find((s) => s.state !== 'done');
}

/** A job's newest pod: after a pod-level failure the Job may have started another. */
export function newestPod(pods: PodSummary[], job: string): PodSummary | undefined {
  return pods
    .filter((pod) => pod.job === job)
    .sort((a, b) => (a.created?.getTime() ?? 0) - (b.created?.getTime() ?? 0))
    .at(-1);
}
