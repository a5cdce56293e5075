import { shellQuote } from '../hosts/become.js';
import type { Inventory } from '../inventory/defaults.js';
import { runOrFail } from '../operations/run.js';
import type { Operation, OperationContext } from '../operations/types.js';
import { kubectl, onceKubeconfigExists } from './kubectl.js';

interface NodeMeta {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * What calling needs on the nodes (docs/wire/install-sequences.md#calling-nodes, docs/wire/inventory-and-hardware.md#per-host-variables, #calling-capacity): wire.com/role=sftd or coturn
 * (sftd and coturn run on different nodes; a host with both roles is labelled sftd, and the
 * inventory rules report it), and wire.com/external-ip behind 1:1 NAT.
 */
export function callingMetadata(inventory: Inventory): Map<string, NodeMeta> {
  const wanted = new Map<string, NodeMeta>();
  for (const host of inventory.hosts) {
    const role = host.roles.includes('sftd') ? 'sftd' : host.roles.includes('coturn') ? 'coturn' : undefined;
    const labels: Record<string, string> = role ? { 'wire.com/role': role } : {};
    // Every calling node gets the annotation: coturn's get-external-ip init container waits for
    // it (or a node ExternalIP, which kubeadm nodes lack) and fails without it, whatever the
    // values say (docs/wire/charts-values-secrets.md#install-order: helm-operations.sh always annotates). Without an externalIp the
    // host's address is the one clients reach (the inventory rules warn when it is private).
    const external = host.externalIp ?? (role ? host.address : undefined);
    const annotations: Record<string, string> = external ? { 'wire.com/external-ip': external } : {};
    if (role || external) wanted.set(host.name, { labels, annotations });
  }
  return wanted;
}

/** The kubectl label/annotate --overwrite commands still needed on one node. */
export function metadataCommands(node: string, wanted: NodeMeta, current: NodeMeta): string[] {
  const missing = (want: Record<string, string>, have: Record<string, string>) =>
    Object.entries(want)
      .filter(([key, value]) => have[key] !== value)
      .map(([key, value]) => `${key}=${value}`);
  const labels = missing(wanted.labels, current.labels);
  const annotations = missing(wanted.annotations, current.annotations);
  return [
    ...(labels.length > 0 ? [`label node ${node} ${labels.join(' ')} --overwrite`] : []),
    ...(annotations.length > 0 ? [`annotate node ${node} ${annotations.join(' ')} --overwrite`] : []),
  ];
}

async function nodeMetadata(
  context: OperationContext,
  kubeconfigPath: string,
  node: string,
): Promise<NodeMeta> {
  const result = await runOrFail(
    context.host,
    `reading node ${node}`,
    kubectl(kubeconfigPath, `get node ${shellQuote(node)} -o json`),
  );
  const metadata = (JSON.parse(result.stdout) as { metadata?: Partial<NodeMeta> }).metadata ?? {};
  return { labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} };
}

export function callingLabels(inventory: Inventory, kubeconfigPath: string): Operation[] {
  return [...callingMetadata(inventory)].map(([node, wanted]) => {
    const needed = async (context: OperationContext) =>
      metadataCommands(node, wanted, await nodeMetadata(context, kubeconfigPath, node));
    const planned = metadataCommands(node, wanted, { labels: {}, annotations: {} }).map(
      (c) => `kubectl ${c}`,
    );
    return onceKubeconfigExists(kubeconfigPath, planned, {
      kind: 'node-metadata',
      target: node,
      inputs: wanted,
      async check(context) {
        return { changes: (await needed(context)).map((command) => `kubectl ${command}`), notes: [] };
      },
      async apply(context) {
        const commands = await needed(context);
        for (const command of commands)
          await runOrFail(context.host, `kubectl ${command}`, kubectl(kubeconfigPath, command));
        return { changes: commands.map((command) => `kubectl ${command}`), notes: [] };
      },
    });
  });
}
