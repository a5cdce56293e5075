import { kubectl } from '../../cluster/kubectl.js';
import { shellQuote } from '../../hosts/become.js';
import type { RemoteHost } from '../../hosts/types.js';
import { badPods, type PodJson } from '../../verify/pod-findings.js';
import { safeName } from './archive.js';

/**
 * What the cluster contributes to a support bundle, asked with kubectl on the admin host and the
 * admin kubeconfig (src/cluster/kubectl.ts, as apply does): every pod, the
 * default namespace's pod descriptions (where wire-server runs, docs/wire/health-and-ports.md#health-checks), the events, and the
 * last lines of each pod that is not Running or crash-loops (verify's badPods decides which;
 * the previous container's log too for a crash loop: the current one has just restarted).
 */
export const POD_LOG_LINES = 200;
const KUBECTL_TIMEOUT_MS = 60_000;
/** A broken cluster can have hundreds of bad pods: the first ones tell the story, the bundle stays small. */
export const MAX_POD_LOGS = 40;

export interface ClusterFile {
  name: string;
  text: string;
}

async function run(
  admin: RemoteHost,
  kubeconfig: string,
  args: string,
  signal: AbortSignal,
): Promise<string> {
  try {
    const result = await admin.exec(kubectl(kubeconfig, args), { timeoutMs: KUBECTL_TIMEOUT_MS, signal });
    if (result.exitCode === 0) return result.stdout;
    return `${result.stdout}\n(kubectl ${args} exited ${result.exitCode})\n${result.stderr}`;
  } catch (error) {
    return `(kubectl ${args} failed: ${error instanceof Error ? error.message : String(error)})\n`;
  }
}

export async function collectCluster(
  admin: RemoteHost,
  kubeconfig: string,
  signal: AbortSignal,
): Promise<ClusterFile[]> {
  const files: ClusterFile[] = [];
  const add = async (name: string, args: string) =>
    files.push({ name, text: await run(admin, kubeconfig, args, signal) });
  await add('pods.txt', 'get pods -A -o wide');
  await add('describe-pods-default.txt', 'describe pods -n default');
  await add('events.txt', 'get events -A --sort-by=.lastTimestamp');
  const json = await run(admin, kubeconfig, 'get pods -A -o json', signal);
  let pods: { items?: PodJson[] };
  try {
    pods = JSON.parse(json) as { items?: PodJson[] };
  } catch {
    files.push({
      name: 'pod-logs/error.txt',
      text: `the pod list could not be read:\n${json.slice(0, 2000)}\n`,
    });
    return files;
  }
  for (const pod of badPods(pods).slice(0, MAX_POD_LOGS)) {
    const target = `-n ${shellQuote(pod.namespace)} ${shellQuote(pod.name)}`;
    const base = `pod-logs/${safeName(pod.namespace)}/${safeName(pod.name)}`;
    const header = `${pod.namespace}/${pod.name}: ${pod.problem}\n`;
    const logs = await run(
      admin,
      kubeconfig,
      `logs ${target} --all-containers --tail=${POD_LOG_LINES}`,
      signal,
    );
    files.push({ name: `${base}.log`, text: `${header}${logs}` });
    if (pod.crashing) {
      const previous = await run(
        admin,
        kubeconfig,
        `logs ${target} --all-containers --previous --tail=${POD_LOG_LINES}`,
        signal,
      );
      files.push({ name: `${base}.previous.log`, text: `${header}${previous}` });
    }
  }
  return files;
}
