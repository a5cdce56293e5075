import type { Inventory } from '../../inventory/defaults.js';
import { isKubeRole } from '../../inventory/roles.js';
import { errorResult, fail, pass } from '../results.js';
import type { DoctorCheck, DoctorResult } from '../types.js';
import { kubectlJson, noClusterReason } from './cluster-kubectl.js';

/**
 * cluster.nodes: every Kubernetes node of the inventory registered and Ready (docs/wire/health-and-ports.md#health-checks,
 * `kubectl get nodes`), one result per node with kubectl's conditions as the evidence.
 */
const ID = 'cluster.nodes';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface NodeList {
  items?: { metadata: { name: string }; status?: { conditions?: Condition[] } }[];
}

/** The conditions that say something: Ready, and any pressure condition that is True. */
function conditionLines(conditions: Condition[]): string[] {
  return conditions
    .filter((c) => c.type === 'Ready' || c.status === 'True')
    .map(
      (c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`,
    );
}

export function nodeResults(inventory: Inventory, list: NodeList): DoctorResult[] {
  const items = list.items ?? [];
  const inventoryNodes = inventory.hosts
    .filter((host) => host.roles.some(isKubeRole))
    .map((host) => host.name);
  // An existing cluster (no kube hosts in the inventory): every node it has.
  const expected = inventoryNodes.length > 0 ? inventoryNodes : items.map((item) => item.metadata.name);
  const registered = items.map((item) => item.metadata.name).join(', ') || 'none';
  return expected.map((name) => {
    const node = items.find((item) => item.metadata.name === name);
    if (!node)
      return fail(
        ID,
        `${name} is not registered in the cluster`,
        `run apply again (kubernetes.join-control-planes, kubernetes.join-workers); on ${name}: journalctl -u kubelet -n 50`,
        { host: name, evidence: [`kubectl get nodes: ${registered}`] },
      );
    const conditions = node.status?.conditions ?? [];
    const evidence = conditionLines(conditions);
    const ready = conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    if (ready) return pass(ID, `${name} is Ready`, { host: name, evidence });
    return fail(
      ID,
      `${name} is registered but not Ready`,
      `kubectl describe node ${name}; on ${name}: journalctl -u kubelet -n 50 (a node without the pod network stays NotReady: kubernetes.cni)`,
      { host: name, evidence: evidence.length > 0 ? evidence : ['no Ready condition reported'] },
    );
  });
}

export const clusterNodes: DoctorCheck = {
  id: ID,
  group: 'cluster',
  title: 'every Kubernetes node of the inventory registered and Ready',
  needsHosts: false,
  skipReason: noClusterReason,
  async run(context) {
    try {
      return nodeResults(context.inventory, (await kubectlJson(context, 'get nodes -o json')) as NodeList);
    } catch (error) {
      return [errorResult(ID, 'the nodes could not be listed', error)];
    }
  },
};
