import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { kubectl, kubectlJson } from '../../cluster/kubectl.js';
import type { Finding } from '../../core/finding.js';
import { shellQuote } from '../../hosts/become.js';
import type { RemoteHost } from '../../hosts/types.js';
import { badPods, type PodJson, podHealthFindings } from '../../verify/pod-findings.js';
import { verifyCheck } from '../../verify/verify-check.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const podsStep = defineStep({
  id: 'verify.pods',
  stage: 'verify',
  title: 'Every pod Running or Completed',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: 'CrashLoopBackOff, Error or Pending anywhere means a broken service',
  alwaysRun: true,
  operations: (inventory, _host, options) => {
    const path = adminKubeconfigPath(inventory, options.inventoryDir);
    return [verifyCheck('pods Running or Completed', path, (context) => podsCheck(context.host, path))];
  },
});

/** How many crashing pods' logs are read for hints. */
const LOGS_READ = 5;

async function podsCheck(host: RemoteHost, kubeconfigPath: string): Promise<Finding[]> {
  const list = (await kubectlJson(host, kubeconfigPath, 'listing pods', 'get pods -A -o json')) as {
    items?: PodJson[];
  };
  const bad = badPods(list);
  const logs = new Map<string, string>();
  for (const pod of bad.filter((p) => p.crashing).slice(0, LOGS_READ)) {
    const args = `-n ${shellQuote(pod.namespace)} logs ${shellQuote(pod.name)} --all-containers --tail=20 --previous`;
    const result = await host.exec(kubectl(kubeconfigPath, args));
    logs.set(`${pod.namespace}/${pod.name}`, result.stdout);
  }
  return podHealthFindings(bad, logs);
}
