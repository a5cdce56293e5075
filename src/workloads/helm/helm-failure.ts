import { WireInstallError } from '../../core/errors.js';
import { ADMIN_HOST } from '../../hosts/local-host.js';
import type { ExecResult } from '../../hosts/types.js';
import { lastLines } from '../../operations/run.js';
import { redact } from '../../secrets/redact.js';

/**
 * A failed `helm upgrade`: the release, helm's exit code and its last lines. When --wait ran
 * out of time, the resources helm reported as not ready are listed on their own (helm writes
 * "Deployment is not ready: default/brig. 0 out of 1 expected pods are ready" and the like);
 * hook failures point at the migrations (docs/wire/migrations.md#migration-jobs). Helm's output passes through `redact`
 * first: a chart may echo a value back in an error, and secrets never reach the screen.
 */
const NOT_READY = /\b([A-Za-z]+) is not ready: (\S+?)\.?(?:\s|$)/;
const TIMED_OUT = /timed out waiting for the condition|context deadline exceeded/;
const HOOK = /(pre|post)-(install|upgrade) hooks? failed|failed (pre|post)-(install|upgrade)/;

export function notReadyResources(output: string): string[] {
  const found = new Set<string>();
  for (const line of output.split('\n')) {
    const match = NOT_READY.exec(line);
    if (match) found.add(`${match[1]} ${match[2]}`);
  }
  return [...found];
}

export function helmFailure(
  release: string,
  namespace: string,
  command: string,
  result: ExecResult,
  secretValues: readonly string[],
): WireInstallError {
  const output = redact(`${result.stdout}\n${result.stderr}`, secretValues);
  const notReady = notReadyResources(output);
  const timedOut = TIMED_OUT.test(output);
  const hook = HOOK.test(output);
  const evidence = [
    `command: ${command}`,
    ...lastLines(output).map((line) => `| ${line}`),
    ...(timedOut
      ? notReady.length > 0
        ? [`not ready when helm gave up: ${notReady.join(', ')}`]
        : ['helm did not say which resources were not ready']
      : []),
  ];
  const next = hook
    ? `a chart hook failed (for wire-server: the migrations): kubectl -n ${namespace} get jobs,pods; kubectl -n ${namespace} logs <pod> -c <container>; then run apply again, it resumes at ${release}`
    : timedOut
      ? `kubectl -n ${namespace} get pods; kubectl -n ${namespace} describe pod <pod> for the ones not Ready; a longer --helm-timeout if they were only slow; apply resumes at ${release}`
      : `fix what helm reports, then run apply again: it resumes at ${release}`;
  return new WireInstallError({
    what: `helm upgrade of release ${release} failed (exit code ${result.exitCode})${timedOut ? ': --wait timed out' : ''}`,
    host: ADMIN_HOST,
    evidence,
    next,
  });
}
