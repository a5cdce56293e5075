import { callingLabels } from '../../cluster/calling-labels.js';
import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { kubectl } from '../../cluster/kubectl.js';
import { type NodeList, nodeFindings, type PodList, podFindings } from '../../cluster/node-findings.js';
import type { Inventory } from '../../inventory/defaults.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { runOrFail } from '../../operations/run.js';
import type { Operation } from '../../operations/types.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const nodesReadyStep = defineStep({
  id: 'kubernetes.nodes-ready',
  stage: 'kubernetes',
  title: 'Wait until every node is Ready and kube-system pods Running',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: "Wire's offline guide checks this before any database or chart goes in",
  alwaysRun: true,
  operations: (inventory, _host, options) =>
    nodesReady(inventory, adminKubeconfigPath(inventory, options.inventoryDir)),
});

/** How long nodes get to become Ready: the pod network starts on each after it joined. */
const NODES_READY_TIMEOUT = '300s';

function nodesReady(inventory: Inventory, kubeconfigPath: string): Operation[] {
  return [
    remoteCheck('Kubernetes nodes Ready', async (context, mode) => {
      // Waiting first: right after the joins, nodes are NotReady until Calico runs on them. A
      // plan only looks: it must not sit five minutes in front of a broken cluster.
      if (mode === 'apply')
        await context.host.exec(
          kubectl(kubeconfigPath, `wait --for=condition=Ready node --all --timeout=${NODES_READY_TIMEOUT}`),
        );
      const nodes = await runOrFail(
        context.host,
        'listing nodes',
        kubectl(kubeconfigPath, 'get nodes -o json'),
      );
      const findings = nodeFindings(inventory, JSON.parse(nodes.stdout) as NodeList);
      // A plan runs before the joins: a node added to the inventory is not in the cluster yet,
      // and the join steps of this apply add it. A note there, an error after an apply.
      if (mode === 'check')
        return findings.map((finding) =>
          finding.rule === 'kubernetes.nodes-registered'
            ? {
                ...finding,
                severity: 'warning' as const,
                message: `${finding.message} (yet: apply joins them)`,
              }
            : finding,
        );
      return findings;
    }),
    ...callingLabels(inventory, kubeconfigPath),
    remoteCheck('kube-system pods Running', async (context) => {
      const pods = await runOrFail(
        context.host,
        'listing kube-system pods',
        kubectl(kubeconfigPath, '-n kube-system get pods -o json'),
      );
      return podFindings(JSON.parse(pods.stdout) as PodList);
    }),
  ];
}
