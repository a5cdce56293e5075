import { existsSync } from 'node:fs';
import { shellQuote } from '../hosts/become.js';
import type { RemoteHost } from '../hosts/types.js';
import { runOrFail } from '../operations/run.js';
import type { Operation, OperationContext } from '../operations/types.js';

/**
 * kubectl on the admin host with the admin kubeconfig: the one command line apply's steps,
 * doctor and upgrade use to reach the cluster (kubectl is the one on the admin host's PATH, or
 * WIRE_INSTALL_KUBECTL: src/tools).
 */
export const kubectl = (kubeconfigPath: string, args: string) =>
  `kubectl --kubeconfig ${shellQuote(kubeconfigPath)} ${args}`;

/** kubectl's JSON answer (`args` ends in `-o json`); a failed command fails with `what` (the verify stage's reads). */
export async function kubectlJson(
  host: RemoteHost,
  kubeconfigPath: string,
  what: string,
  args: string,
): Promise<unknown> {
  const result = await runOrFail(host, what, kubectl(kubeconfigPath, args));
  return JSON.parse(result.stdout) as unknown;
}

/**
 * kubectl apply of a manifest given on stdin, current when `kubectl diff` finds no difference.
 * Server-side: Calico's CRDs are too large for the annotation a client-side apply writes.
 */
const SERVER_SIDE = '--server-side --force-conflicts -f -';
export function kubectlApplyOperation(
  kubeconfigPath: string,
  name: string,
  manifest: () => Promise<string>,
): Operation {
  const differs = async (context: OperationContext) => {
    const diff = await context.host.exec(kubectl(kubeconfigPath, `diff ${SERVER_SIDE}`), {
      stdin: await manifest(),
    });
    // kubectl diff: 0 no differences, 1 differences, anything else an error.
    if (diff.exitCode > 1)
      throw new Error(`kubectl diff of ${name} failed (exit ${diff.exitCode}): ${diff.stderr.trim()}`);
    return diff.exitCode === 1;
  };
  return {
    kind: 'kubectl-apply',
    target: name,
    inputs: { name },
    async check(context) {
      return { changes: (await differs(context)) ? [`kubectl apply ${name}`] : [], notes: [] };
    },
    async apply(context) {
      if (!(await differs(context))) return { changes: [], notes: [] };
      await runOrFail(context.host, `applying ${name}`, kubectl(kubeconfigPath, `apply ${SERVER_SIDE}`), {
        stdin: await manifest(),
      });
      return { changes: [`kubectl apply ${name}`], notes: [] };
    },
  };
}

/**
 * In a plan made before the cluster exists there is no kubeconfig to ask with: the operation is
 * shown as it will run. Apply asks the cluster (kubectl names the missing file if it still is).
 */
export function onceKubeconfigExists(
  kubeconfigPath: string,
  planned: string[],
  operation: Operation,
): Operation {
  return {
    ...operation,
    async check(context) {
      if (existsSync(kubeconfigPath)) return operation.check(context);
      return {
        changes: planned.map(
          (change) => `${change} (once kubernetes.admin-kubeconfig wrote ${kubeconfigPath})`,
        ),
        notes: [],
      };
    },
  };
}
