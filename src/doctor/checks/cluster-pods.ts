import { shellQuote } from '../../hosts/become.js';
import { lastLines } from '../../operations/run.js';
import { type BadPod, badPods, crashHints, type PodJson } from '../../verify/pod-findings.js';
import { errorResult, fail, pass } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { hideSecrets, kubectlCommand, kubectlJson, noClusterReason } from './cluster-kubectl.js';

/**
 * cluster.pods: every pod Running or Completed (docs/wire/health-and-ports.md#health-checks). A pod that crashes gets its
 * log tail read, as apply's verify.pods does, and the known hint of docs/wire/known-problems.md#problems-operators-commonly-hit when the log or
 * its name says which (nginz "failed to load keystore": the zauth public key is missing).
 */
const ID = 'cluster.pods';
/** How many failing pods get their logs read (each is one kubectl call). */
const LOGS_READ = 5;
const LOG_LINES = 10;

/** The last lines the crashed run printed (--previous), or the current run's when there was none. */
async function logTail(context: DoctorContext, pod: BadPod): Promise<string> {
  const base = `-n ${shellQuote(pod.namespace)} logs ${shellQuote(pod.name)} --all-containers --tail=20`;
  for (const args of [`${base} --previous`, base]) {
    const result = await context.admin.exec(kubectlCommand(context, args), { signal: context.signal });
    if (result.exitCode === 0 && result.stdout.trim() !== '') return result.stdout;
  }
  return '';
}

export function podResult(pod: BadPod, log: string | undefined): DoctorResult {
  const hints = crashHints(pod.name, log ?? '');
  const logLines =
    log === undefined
      ? []
      : log.trim() === ''
        ? ['no log lines could be read']
        : [`last log lines:`, ...lastLines(log, LOG_LINES).map((line) => `| ${line}`)];
  const look = `kubectl -n ${pod.namespace} describe pod ${pod.name}; kubectl -n ${pod.namespace} logs ${pod.name} --previous`;
  return fail(ID, `pod ${pod.namespace}/${pod.name} is ${pod.problem}`, [...hints, look].join('; '), {
    evidence: [`status: ${pod.problem}`, ...hints.map((hint) => `known cause: ${hint}`), ...logLines],
  });
}

export const clusterPods: DoctorCheck = {
  id: ID,
  group: 'cluster',
  title: 'no pod crash-looping, failed or stuck (with the known cause when its log shows one)',
  needsHosts: false,
  skipReason: noClusterReason,
  async run(context) {
    let list: { items?: PodJson[] };
    try {
      list = (await kubectlJson(context, 'get pods -A -o json')) as { items?: PodJson[] };
    } catch (error) {
      return [errorResult(ID, 'the pods could not be listed', error)];
    }
    const bad = badPods(list);
    if (bad.length === 0)
      return [
        pass(ID, 'every pod is Running or Completed', {
          evidence: [`${list.items?.length ?? 0} pods in all namespaces`],
        }),
      ];
    const results: DoctorResult[] = [];
    let read = 0;
    for (const pod of bad) {
      // Only a container that ran has a log; Pending or an image pull failure has none.
      const readable = (pod.crashing || /Error|Failed/.test(pod.problem)) && read < LOGS_READ;
      if (readable) read += 1;
      const log = readable ? hideSecrets(context, [await logTail(context, pod)])[0] : undefined;
      results.push(podResult(pod, log));
    }
    return results;
  },
};
