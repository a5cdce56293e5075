import { randomBytes } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { ExitCode, isWireInstallError, WireInstallError } from '../core/errors.js';
import { fileSystemError } from '../core/fs-errors.js';
import type { Interrupt } from '../core/interrupt.js';
import type { Output } from '../core/output.js';
import { makeDirectory } from '../core/safe-file.js';
import { gatherFacts, type HostFacts } from '../hosts/facts.js';
import { ADMIN_HOST, localHost } from '../hosts/local-host.js';
import type { RemoteHost } from '../hosts/types.js';
import type { Inventory } from '../inventory/defaults.js';
import type { InventoryInput } from '../inventory/schema.js';
import type { WireSecrets } from '../secrets/generate.js';
import { pemValues, redactDeep, secretValues } from '../secrets/redact.js';
import { acquireLock } from '../state/lock.js';
import { STATE_DIR, StateStore } from '../state/store.js';
import type { connectHosts } from './connect-hosts.js';
import { DebugLog } from './debug-log.js';
import type { EmitEvent, EngineEvent } from './events.js';
import { type ReplacedHost, recordHostIdentities, replacedHosts } from './host-identity.js';
import { openConnections } from './open-connections.js';
import type { Reporter } from './report.js';
import { type RunInterrupt, watchRunInterrupt } from './run-interrupt.js';
import { runSteps, type StepFailure } from './run-steps.js';
import { selectSteps } from './select.js';
import { StateSpace } from './state-space.js';
import { hostsInUse } from './targets.js';
import type { EngineStage, EngineStep, StepSelection, StepStatus } from './types.js';

const noCounts = (): Record<StepStatus, number> => ({
  current: 0,
  unchanged: 0,
  changed: 0,
  'would-change': 0,
  failed: 0,
});

/**
 * One run of `apply` (or `apply --plan`) on hosts: takes the lock (apply only), opens the state
 * and the debug log, connects to every host the steps use, runs the steps, and reports. Returns
 * the exit code: 0 succeeded, 1 failed, 130 interrupted.
 */
export interface ApplyRunOptions {
  mode: 'apply' | 'plan';
  inventoryPath: string;
  inventory: Inventory;
  secrets: WireSecrets | undefined;
  /** PEM private keys beside secrets.yaml (the ingress certificate's), hidden like its values. */
  privateKeys?: readonly string[];
  stages: readonly EngineStage[];
  selection: StepSelection;
  concurrency: number;
  uploadConcurrency: number;
  /** The inventory as written: ssh_config fills only what it leaves unset (ssh-settings.ts). */
  inventoryInput: InventoryInput;
  env: NodeJS.ProcessEnv;
  /** Accept and record unknown host keys (the default); false refuses them. */
  trustOnFirstUse: boolean;
  /** Aborted by the first Ctrl-C: no new step starts, connecting is abandoned, exit 130. */
  signal: AbortSignal;
  /** What a second Ctrl-C runs before the process exits (src/core/interrupt.ts). */
  onStopAtOnce?: Interrupt['onStopAtOnce'];
  /** The command that resumes an interrupted run, for the closing line; default `wire-install apply`. */
  resumeCommand?: string;
  output: Output;
  /** Shows the run's events: lines, a live tree, or JSON (report.ts). */
  reporter: Reporter;
  /** For the lock file: what is running. */
  commandLine: string;
  /** Runs once the lock is taken, before any host is contacted (apply only): secrets.yaml's new keys are saved here. */
  afterLock?: () => Promise<void>;
  /**
   * The environment of the admin host's commands, prepared only when a selected step runs
   * there (which helm and kubectl: src/tools/admin-tools.ts); default: this process's.
   */
  adminEnv?: () => Promise<NodeJS.ProcessEnv>;
  /** --check-drift: steps current by their checkpoint are checked (plan) or applied (apply) all the same. */
  recheck?: boolean;
}

/** `20261123T164118`: UTC to the second, sortable, safe in file names and ids. */
export const compactTimestamp = (date: Date): string =>
  date.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');

export function newRunId(): string {
  return `${compactTimestamp(new Date())}-${randomBytes(3).toString('hex')}`;
}

/** The steps --from/--only select, in run order (unknown names are bad input, thrown here). */
function selectedSteps(stages: readonly EngineStage[], selection: StepSelection): EngineStep[] {
  const selected = new Set(
    selectSteps(stages, selection)
      .filter((step) => !step.excluded)
      .map((step) => step.stepId),
  );
  return stages.flatMap((stage) => stage.steps.filter((step) => selected.has(step.id)));
}

/** Selected steps that cannot run (no operations yet, a missing file): refused before anything is contacted. */
function refuseUnavailable(stages: readonly EngineStage[], selected: readonly EngineStep[]): void {
  const missing = selected.filter((step) => step.unavailable);
  if (missing.length === 0) return;
  const runnable = stages.flatMap((stage) =>
    stage.steps.filter((step) => !step.unavailable).map((step) => step.id),
  );
  throw new WireInstallError({
    what: `${missing.length} of the selected steps cannot run`,
    evidence: missing.map((step) => `${step.id}: ${step.unavailable}`),
    next: runnable.length
      ? `run the steps that can run with --only, e.g. --only ${runnable.slice(0, 3).join(',')}; nothing was contacted or changed`
      : 'nothing was contacted or changed',
  });
}

export async function applyRun(options: ApplyRunOptions): Promise<number> {
  const runningSteps = selectedSteps(options.stages, options.selection);
  refuseUnavailable(options.stages, runningSteps);
  for (const step of runningSteps) await step.beforeConnect?.();
  const stateDir = join(dirname(options.inventoryPath), STATE_DIR);
  // makeDirectory: a read-only disk is named as such (Node's recursive mkdir says ENOENT).
  await makeDirectory(stateDir, "wire-install's state folder");
  const runId = newRunId();
  const hidden = [
    ...(options.secrets ? secretValues(options.secrets) : []),
    ...(options.privateKeys ?? []).flatMap(pemValues),
  ];
  // The lock before anything else is written: a run it refuses leaves nothing behind.
  const lock =
    options.mode === 'apply'
      ? await acquireLock(stateDir, { command: options.commandLine, runId })
      : undefined;
  let log: DebugLog | undefined;
  let watch: RunInterrupt | undefined;
  let connected: Awaited<ReturnType<typeof connectHosts>> | undefined;
  let stateSpace: StateSpace | undefined;
  try {
    if (lock) await options.afterLock?.();
    if (lock?.takenOver) options.output.warn(`took over a stale lock: ${lock.takenOver}`);
    const runLog = new DebugLog(join(stateDir, 'logs', `${options.mode}-${runId}.log`), hidden, (error) =>
      options.output.warn(`${error.what}; the run goes on without it (${error.next})`),
    );
    log = runLog;
    const logFile = relative(process.cwd(), runLog.path) || runLog.path;
    // Failures carry what hosts and pods printed (last lines, log tails): secrets out first.
    const emit: EmitEvent = (raw) => {
      const event = redactDeep(raw, hidden);
      runLog.write(`event ${JSON.stringify(event)}`);
      watch?.track(event);
      options.reporter.emit(event);
    };
    const started = performance.now();
    // Only the hosts of the steps that run are connected to (--only bundle checks touch none).
    const used = new Set(runningSteps.flatMap((step) => step.hosts));
    const usesAdmin = runningSteps.some((step) => step.admin);
    const hosts = hostsInUse(options.inventory, used);
    const becomePassword = options.secrets?.ssh?.becomePassword;
    const state = await StateStore.open(stateDir);
    // Freed to record the steps in flight if the disk fills up (state-space.ts); a disk without
    // that much room fails here, before any host is contacted or the run is shown.
    if (options.mode === 'apply') stateSpace = await StateSpace.keep(stateDir);
    emit({ type: 'run-started', runId, mode: options.mode, hosts: hosts.map((h) => h.name), logFile });
    watch = watchRunInterrupt({
      signal: options.signal,
      onStopAtOnce: options.onStopAtOnce,
      emit,
      state: options.mode === 'apply' ? state : undefined,
      runId,
      next: options.resumeCommand ?? 'wire-install apply',
      holdsLock: lock !== undefined,
    });
    const finish = (status: 'succeeded' | 'failed' | 'interrupted', counts = noCounts()) => {
      // From here on a Ctrl-C has nothing left to stop in this run.
      watch?.dispose();
      emit({ type: 'run-finished', status, counts, ms: Math.round(performance.now() - started), logFile });
    };
    const connecting = openConnections({
      hosts,
      inventoryDir: dirname(options.inventoryPath),
      inventoryInput: options.inventoryInput,
      stateDir,
      becomePassword,
      env: options.env,
      trustOnFirstUse: options.trustOnFirstUse,
      concurrency: options.concurrency,
      log: runLog,
      emit,
      output: options.output,
      signal: options.signal,
    });
    // Ctrl-C while connecting: stop waiting for hosts that are slow to answer (no step has run).
    const first = await Promise.race([connecting, watch.interrupted.then(() => undefined)]);
    if (!first) {
      void connecting.then(
        (late) => late.closeAll(),
        () => undefined,
      );
      finish('interrupted');
      return ExitCode.interrupted;
    }
    connected = first;
    if (usesAdmin) {
      const admin = runLog.wrap(localHost(options.adminEnv ? { env: await options.adminEnv() } : {}));
      connected.hosts.set(ADMIN_HOST, admin);
      connected.facts.set(ADMIN_HOST, await gatherFacts(admin));
    }
    if (connected.failures.length > 0) {
      for (const event of failureEvents(connected.failures.map((f) => ({ ...f, step: 'connect' }))))
        emit(event);
      finish('failed');
      return ExitCode.failed;
    }
    if (options.signal.aborted) {
      finish('interrupted');
      return ExitCode.interrupted;
    }
    // A host rebuilt since the last apply: named, and its steps run again (host-identity.ts).
    const replaced = replacedHosts(state, connected.hosts, connected.facts);
    for (const { host, evidence } of replaced) emit({ type: 'host-replaced', host, evidence });
    if (options.mode === 'apply') await recordIdentities(state, connected, replaced, stateDir);
    watch.stepsStarted();
    const result = await runSteps({
      mode: options.mode,
      stages: options.stages,
      hosts: connected.hosts,
      facts: connected.facts,
      state,
      runId,
      concurrency: options.concurrency,
      uploadConcurrency: options.uploadConcurrency,
      selection: options.selection,
      signal: options.signal,
      emit,
      ...(stateSpace ? { stateSpace } : {}),
      ...(options.recheck ? { recheck: true } : {}),
      ...(replaced.length > 0 ? { replacedHosts: new Set(replaced.map(({ host }) => host)) } : {}),
    });
    watch.dispose();
    for (const event of failureEvents(result.failures)) emit(event);
    finish(result.status, result.counts);
    return result.status === 'succeeded'
      ? ExitCode.ok
      : result.status === 'interrupted'
        ? ExitCode.interrupted
        : ExitCode.failed;
  } finally {
    watch?.dispose();
    connected?.closeAll();
    await stateSpace?.release().catch(() => undefined);
    await lock?.release();
    log?.close();
    await options.reporter.close();
  }
}

/** Host identities go into state.json before any step runs; a write that fails is the state folder's problem, said so. */
async function recordIdentities(
  state: StateStore,
  connected: { hosts: ReadonlyMap<string, RemoteHost>; facts: ReadonlyMap<string, HostFacts> },
  replaced: readonly ReplacedHost[],
  stateDir: string,
): Promise<void> {
  try {
    await recordHostIdentities(state, connected.hosts, connected.facts, replaced);
  } catch (error) {
    throw fileSystemError(error, join(stateDir, 'state.json'), 'writing the run state') ?? error;
  }
}

/** Each failure as an event: host, step, what failed, and the command, exit code and last lines. */
function failureEvents(failures: readonly StepFailure[]): EngineEvent[] {
  return failures.map((failure) => {
    const error = failure.error;
    return {
      type: 'failure',
      host: failure.host,
      step: failure.step,
      error: isWireInstallError(error) ? error.what : error instanceof Error ? error.message : String(error),
      evidence: isWireInstallError(error) ? error.evidence : [],
      ...(isWireInstallError(error) && error.next ? { next: error.next } : {}),
    };
  });
}
