import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { BUNDLE_BINARIES } from '../../bundle/binaries.js';
import { kubectl } from '../../cluster/kubectl.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { WireInstallError } from '../../core/errors.js';
import { shellQuote } from '../../hosts/become.js';
import type { Inventory } from '../../inventory/defaults.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { runOrFail } from '../../operations/run.js';
import type { Operation, OperationContext, OperationOutcome } from '../../operations/types.js';
import type { Finding } from '../../rules/finding.js';
import { ADMIN_CONF, adminServerUrl } from './kubernetes-kubeadm.js';

/**
 * The cluster from the admin host: its kubeconfig fetched from the first control plane (Wire's
 * artifacts/admin.conf, docs/wire/install-sequences.md#admin-tools-container, #kubernetes-cluster), then kubectl there for the pod network, the
 * calling labels and the readiness checks. kubectl is the one on the admin host's PATH.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** admin.conf as the admin host uses it: the same credentials, the server it can reach. */
export function adminKubeconfig(remote: string, serverUrl: string): string {
  if (!/^\s*server:\s*\S+/m.test(remote)) throw new Error(`${ADMIN_CONF} names no server`);
  return remote.replace(/^(\s*server:\s*)\S+/m, `$1${serverUrl}`);
}

async function localState(path: string): Promise<{ sha: string; mode: number } | undefined> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { sha: sha256(content), mode: info.mode & 0o777 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * /etc/kubernetes/admin.conf of the first control plane, written on the admin host atomically
 * with mode 0600. Its content is a credential: it travels on the command's stdout (which the
 * debug log does not record) and is never part of a change line or the fingerprint.
 */
export function fetchAdminKubeconfig(inventory: Inventory, localPath: string): Operation {
  const server = adminServerUrl(inventory);
  const wanted = async (context: OperationContext): Promise<string | undefined> => {
    const result = await context.host.exec(`cat ${ADMIN_CONF}`);
    return result.exitCode === 0 ? adminKubeconfig(result.stdout, server) : undefined;
  };
  const compare = async (context: OperationContext) => {
    const content = await wanted(context);
    if (content === undefined)
      return { content, change: `fetch ${ADMIN_CONF} to ${localPath} (after kubeadm init)` };
    const local = await localState(localPath);
    if (!local) return { content, change: `create ${localPath} (mode 0600, server ${server})` };
    const differences = [
      ...(local.sha !== sha256(content) ? ['content'] : []),
      ...(local.mode !== 0o600 ? [`mode ${local.mode.toString(8)} -> 600`] : []),
    ];
    return {
      content,
      change: differences.length > 0 ? `update ${localPath} (${differences.join(', ')})` : undefined,
    };
  };
  return {
    kind: 'kubeconfig',
    target: localPath,
    inputs: { path: localPath, server },
    async check(context): Promise<OperationOutcome> {
      const { change } = await compare(context);
      return { changes: change ? [change] : [], notes: [] };
    },
    async apply(context): Promise<OperationOutcome> {
      const { content, change } = await compare(context);
      if (content === undefined)
        await runOrFail(context.host, `reading ${ADMIN_CONF}`, `test -f ${ADMIN_CONF}`, {
          next: 'run kubernetes.init-control-plane first: kubeadm init writes it',
        });
      if (!change || content === undefined) return { changes: [], notes: [] };
      await writeFileAtomic(localPath, content, { mode: 0o600 });
      return { changes: [change], notes: [] };
    },
  };
}

/**
 * Calico as Wire's kubespray runs it (docs/wire/deployment-sources.md#calico): v3.27.4, VXLAN
 * between all nodes and no BGP (kubespray's calico_network_backend vxlan, calico_vxlan_mode
 * Always), its images from quay.io as the bundle's containers-system.tar carries them, and a
 * CNI chain with portmap, which hostPorts (a demo's ingress on 443 and 80) need. Wire's bundle
 * has no ready manifest: binaries.tar carries Calico's source archive (kubespray's calico_crds),
 * whose manifests/calico-vxlan.yaml is Calico's own manifest for that backend. It is read from
 * there and given the rest.
 */
export const CALICO_VERSION = '3.27.4';
export const CALICO_MANIFEST = `calico-${CALICO_VERSION}/manifests/calico-vxlan.yaml`;
const UPSTREAM_IMAGES = 'docker.io/calico/';
const BUNDLE_IMAGES = 'quay.io/calico/';

/**
 * The upstream manifest as Wire's cluster has Calico: the inventory's pod network as its IP pool
 * (the default, 192.168.0.0/16, is commented out and would not match kubeadm's podSubnet),
 * VXLAN always rather than only across subnets, and the images the bundle seeds.
 */
export function calicoManifest(text: string, podCidr: string): string {
  if (!/"type":\s*"portmap"/.test(text))
    throw new WireInstallError({
      what: `the Calico manifest's CNI configuration has no portmap plugin (${CALICO_MANIFEST}): hostPorts, which a demo's ingress uses for 443 and 80, would not work`,
      next: `use the bundle of wire-server-deploy 5.32 (Calico v${CALICO_VERSION}, whose calico-vxlan.yaml has portmap)`,
    });
  const pool = /^(\s*)# - name: CALICO_IPV4POOL_CIDR\n\1#\s+value: "[^"]*"/m;
  const vxlan = /^(\s*- name: CALICO_IPV4POOL_VXLAN\n\s*value: )"CrossSubnet"/m;
  return text
    .replace(pool, `$1- name: CALICO_IPV4POOL_CIDR\n$1  value: "${podCidr}"`)
    .replace(vxlan, '$1"Always"')
    .replaceAll(UPSTREAM_IMAGES, BUNDLE_IMAGES);
}

/** The manifest out of Calico's archive inside the bundle's binaries.tar, neither unpacked. */
export async function readCalicoManifest(bundleRoot: string): Promise<string> {
  const binaries = join(bundleRoot, 'binaries.tar');
  const unreadable = (stderr: string) =>
    new WireInstallError({
      what: `cannot read ${CALICO_MANIFEST} from ${BUNDLE_BINARIES.calicoArchive} in ${binaries}`,
      evidence: stderr.trim().split('\n').slice(-2),
      next: `use the bundle of wire-server-deploy 5.32 (its versions/wire-binaries.json names calico v${CALICO_VERSION})`,
    });
  const archive = await execa('tar', ['-xOf', binaries, BUNDLE_BINARIES.calicoArchive], {
    encoding: 'buffer',
    reject: false,
  });
  if (archive.exitCode !== 0) throw unreadable(Buffer.from(archive.stderr).toString());
  const manifest = await execa('tar', ['-xzOf', '-', CALICO_MANIFEST], {
    input: archive.stdout,
    reject: false,
    stripFinalNewline: false,
  });
  if (manifest.exitCode !== 0) throw unreadable(manifest.stderr);
  return manifest.stdout;
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

export function calico(inventory: Inventory, bundleRoot: string, kubeconfigPath: string): Operation[] {
  // Read once per run: check and apply both need it, and binaries.tar is large.
  let manifest: Promise<string> | undefined;
  const read = () =>
    (manifest ??= readCalicoManifest(bundleRoot).then((text) =>
      calicoManifest(text, inventory.kubernetes.podCidr),
    ));
  const name = `Calico v${CALICO_VERSION} (${CALICO_MANIFEST} of ${BUNDLE_BINARIES.calicoArchive})`;
  return [
    onceKubeconfigExists(
      kubeconfigPath,
      [`kubectl apply ${name}`],
      kubectlApplyOperation(kubeconfigPath, name, read),
    ),
  ];
}

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

interface NodeList {
  items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
}
interface PodList {
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

/** How long nodes get to become Ready: the pod network starts on each after it joined. */
export const NODES_READY_TIMEOUT = '300s';

export function nodesReady(inventory: Inventory, kubeconfigPath: string): Operation[] {
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
      return nodeFindings(inventory, JSON.parse(nodes.stdout) as NodeList);
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
