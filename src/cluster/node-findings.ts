import type { Finding } from '../core/finding.js';
import type { Inventory } from '../inventory/defaults.js';

export interface NodeList {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}
export interface PodList {
  items: { metadata: { name: string }; status?: { phase?: string } }[];
}

/** Every inventory Kubernetes node registered and Ready (docs/wire/health-and-ports.md#health-checks). */
export function nodeFindings(inventory: Inventory, nodes: NodeList): Finding[] {
  const expected = inventory.hosts
    .filter((host) => host.roles.includes('kube-control-plane') || host.roles.includes('kube-worker'))
    .map((host) => host.name);
  const ready = (item: NodeList['items'][number]) =>
    item.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const registered = nodes.items.map((item) => item.metadata.name);
  const missing = expected.filter((name) => !registered.includes(name));
  const notReady = nodes.items.filter((item) => !ready(item)).map((item) => item.metadata.name);
  const findings: Finding[] = [];
  if (missing.length > 0)
    findings.push({
      severity: 'error',
      rule: 'kubernetes.nodes-registered',
      message: `Kubernetes nodes of the inventory not in the cluster: ${missing.join(', ')}`,
      measured: `registered: ${registered.join(', ') || 'none'}`,
      required: expected.join(', '),
      fix: 'run apply again with kubernetes.join-control-planes and kubernetes.join-workers; on the node: journalctl -u kubelet',
    });
  if (notReady.length > 0)
    findings.push({
      severity: 'error',
      rule: 'kubernetes.nodes-ready',
      message: `Kubernetes nodes not Ready: ${notReady.join(', ')}`,
      measured: `${notReady.length} of ${nodes.items.length} not Ready`,
      required: 'every node Ready',
      fix: 'kubectl describe node <name> (a missing pod network keeps nodes NotReady: kubernetes.cni); on the node: journalctl -u kubelet',
    });
  return findings;
}

/** kube-system pods Running (or Completed), as Wire's offline guide checks (docs/wire/install-sequences.md#cluster-and-databases-playbooks, docs/wire/health-and-ports.md#health-checks). */
export function podFindings(pods: PodList): Finding[] {
  const bad = pods.items.filter((pod) => !['Running', 'Succeeded'].includes(pod.status?.phase ?? ''));
  if (bad.length === 0) return [];
  return [
    {
      severity: 'error',
      rule: 'kubernetes.kube-system-pods',
      message: `kube-system pods not Running: ${bad.map((pod) => `${pod.metadata.name} (${pod.status?.phase ?? 'unknown'})`).join(', ')}`,
      measured: `${bad.length} of ${pods.items.length} not Running`,
      required: 'every kube-system pod Running or Completed',
      fix: 'kubectl -n kube-system describe pod <name>; kubectl -n kube-system logs <name> (images come from containerd: kubernetes.seed-images)',
    },
  ];
}
