import { kubectl } from '../../cluster/kubectl.js';
import { redact, secretValues } from '../../secrets/redact.js';
import { parseKubectlJson } from '../../workloads/migrations/kube-objects.js';
import type { DoctorContext } from '../types.js';

/**
 * kubectl on the admin host with the admin kubeconfig, as apply's verify stage runs it
 * (src/cluster/kubectl.ts): what the cluster checks share.
 */

/** Why the cluster checks do not apply yet: without the admin kubeconfig there is no cluster to ask. */
export function noClusterReason(context: DoctorContext): string | undefined {
  return context.installed.kubeconfig
    ? undefined
    : 'no cluster yet: the admin kubeconfig .wire-install/admin.conf does not exist (kubernetes.admin-kubeconfig writes it)';
}

export function kubeconfigOf(context: DoctorContext): string {
  const path = context.installed.kubeconfig;
  if (!path) throw new Error('no admin kubeconfig (.wire-install/admin.conf)');
  return path;
}

/** The kubectl command line for `args` (the kubeconfig path is not a secret). */
export const kubectlCommand = (context: DoctorContext, args: string) => kubectl(kubeconfigOf(context), args);

/** kubectl `args` answered as JSON; a failure says what kubectl printed. */
export async function kubectlJson(context: DoctorContext, args: string): Promise<unknown> {
  const result = await context.admin.exec(kubectlCommand(context, args), { signal: context.signal });
  if (result.exitCode !== 0)
    throw new Error(
      `kubectl ${args} failed (exit code ${result.exitCode})\n${result.stderr.trim().split('\n').slice(-5).join('\n')}`,
    );
  return parseKubectlJson(result.stdout, args);
}

/** Pod logs can carry anything a service printed: secrets.yaml's values are hidden before they are shown. */
export function hideSecrets(context: DoctorContext, lines: string[]): string[] {
  const values = context.secrets ? secretValues(context.secrets) : [];
  return lines.map((line) => redact(line, values));
}
