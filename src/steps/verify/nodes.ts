import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { kubectlJson } from '../../cluster/kubectl.js';
import { nodeFindings, podFindings } from '../../cluster/node-findings.js';
import { verifyCheck } from '../../verify/verify-check.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const nodesStep = defineStep({
  id: 'verify.nodes',
  stage: 'verify',
  title: 'Every node Ready, kube-system pods Running',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: 'kubectl get nodes -owide; kubectl -n kube-system get pods',
  alwaysRun: true,
  operations: (inventory, _host, options) => {
    const path = adminKubeconfigPath(inventory, options.inventoryDir);
    return [
      verifyCheck('nodes Ready', path, async (context) => [
        ...nodeFindings(
          inventory,
          (await kubectlJson(context.host, path, 'listing nodes', 'get nodes -o json')) as never,
        ),
        ...podFindings(
          (await kubectlJson(
            context.host,
            path,
            'listing kube-system pods',
            '-n kube-system get pods -o json',
          )) as never,
        ),
      ]),
    ];
  },
});
