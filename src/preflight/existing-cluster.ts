import type { Finding } from '../core/finding.js';
import { shellQuote } from '../hosts/become.js';
import type { RemoteHost } from '../hosts/types.js';

/**
 * With `kubernetes.mode: existing` wire-install builds no cluster and uses the given kubeconfig
 * (and context). Before anything is deployed: the API answers, its version is one wire-server
 * supports (Kubernetes 1.27 or later since 5.26, docs/wire/upgrades.md#version-notes), and every node is Ready.
 */
export const MIN_KUBERNETES_MINOR = 27;

interface NodeList {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

export async function checkExistingCluster(
  host: RemoteHost,
  kubeconfig: string,
  context: string | undefined,
  kubectl = 'kubectl',
): Promise<Finding[]> {
  const base = `${kubectl} --kubeconfig ${shellQuote(kubeconfig)}${context ? ` --context ${shellQuote(context)}` : ''}`;
  const version = await host.exec(`${base} version -o json --request-timeout=10s`);
  let server: { minor?: string; gitVersion?: string } | undefined;
  try {
    server = (JSON.parse(version.stdout) as { serverVersion?: { minor?: string; gitVersion?: string } })
      .serverVersion;
  } catch {
    server = undefined;
  }
  if (!server)
    return [
      {
        severity: 'error',
        rule: 'preflight.existing-cluster',
        message: `the existing cluster's API does not answer with ${kubeconfig}${context ? ` (context ${context})` : ''}`,
        measured: firstLine(version.stderr) || `exit ${version.exitCode}`,
        fix: 'check kubernetes.kubeconfig and kubernetes.context in the inventory, and that this machine reaches the API server',
      },
    ];
  const findings: Finding[] = [];
  // Managed clusters report minors like "29+".
  const minor = Number.parseInt(server.minor ?? '', 10);
  if (Number.isNaN(minor) || minor < MIN_KUBERNETES_MINOR)
    findings.push({
      severity: 'error',
      rule: 'preflight.existing-cluster-version',
      message: `the existing cluster runs Kubernetes ${server.gitVersion ?? 'of an unknown version'}; wire-server needs 1.${MIN_KUBERNETES_MINOR} or later`,
      measured: server.gitVersion ?? `minor ${server.minor}`,
      required: `1.${MIN_KUBERNETES_MINOR} or later`,
      fix: 'upgrade the cluster before installing Wire',
    });
  const nodes = await host.exec(`${base} get nodes -o json --request-timeout=10s`);
  let list: NodeList;
  try {
    list = JSON.parse(nodes.stdout) as NodeList;
  } catch {
    return [
      ...findings,
      {
        severity: 'error',
        rule: 'preflight.existing-cluster',
        message: 'cannot list the nodes of the existing cluster',
        measured: firstLine(nodes.stderr) || `exit ${nodes.exitCode}`,
        fix: "the kubeconfig user needs to list nodes (cluster-admin is what Wire's charts need anyway)",
      },
    ];
  }
  const notReady = list.items
    .filter((node) => !node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((node) => node.metadata.name);
  if (list.items.length === 0 || notReady.length > 0)
    findings.push({
      severity: 'error',
      rule: 'preflight.existing-cluster-nodes',
      message:
        list.items.length === 0
          ? 'the existing cluster has no nodes'
          : `nodes not Ready: ${notReady.join(', ')}`,
      measured: `${list.items.length - notReady.length} of ${list.items.length} Ready`,
      required: 'every node Ready',
      fix: 'kubectl describe node <name>; fix the nodes before installing Wire',
    });
  return findings;
}
