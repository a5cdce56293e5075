import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { BUNDLE_BINARIES } from '../../bundle/binaries.js';
import { callingLabels } from '../../cluster/calling-labels.js';
import { kubectl, kubectlApplyOperation, onceKubeconfigExists } from '../../cluster/kubectl.js';
import { type NodeList, nodeFindings, type PodList, podFindings } from '../../cluster/node-findings.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { WireInstallError } from '../../core/errors.js';
import type { Inventory } from '../../inventory/defaults.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { runOrFail } from '../../operations/run.js';
import type { Operation, OperationContext, OperationOutcome } from '../../operations/types.js';
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
