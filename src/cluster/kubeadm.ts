import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { WireInstallError } from '../core/errors.js';
import { type Host, hostsWithRole, type Inventory, trafficAddress } from '../inventory/defaults.js';
import { commandOperation } from '../operations/command.js';
import { directoryOperation } from '../operations/directory.js';
import { fileOperation } from '../operations/file.js';
import type { Operation } from '../operations/types.js';
import type { WireSecrets } from '../secrets/generate.js';
import { renderTemplateFile } from '../templates/load.js';

/**
 * kubeadm on the Kubernetes nodes: the cluster starts on the first control plane (docs/wire/install-sequences.md#kubernetes-cluster),
 * the other control planes join one at a time and the workers all at once (docs/wire/inventory-and-hardware.md#inventory-groups).
 * Every secret (bootstrap token, certificate key) travels in 0600 configuration files, never on
 * a command line. kubeadm and kubelet are at /usr/local/bin (kubernetes.kube-packages).
 */
export const KUBEADM = '/usr/local/bin/kubeadm';
/** Wire's offline bundle pins Kubernetes v1.29.10 (docs/wire/inventory-and-hardware.md#group-and-cluster-variables, docs/wire/platform.md). */
export const KUBERNETES_VERSION = 'v1.29.10';
export const API_PORT = 6443;
/** wire-install's kubeadm configuration (the join one holds the bootstrap token) and its done-marks. */
export const CONFIG_DIR = '/etc/kubernetes/wire-install';
export const INIT_CONFIG = `${CONFIG_DIR}/kubeadm-init.yaml`;
export const JOIN_CONFIG = `${CONFIG_DIR}/kubeadm-join.yaml`;
/** kubeadm init writes it (early, in its kubeconfig phase); the admin step fetches it. */
export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
/**
 * Written by wire-install only after kubeadm init (or join) exited 0. Not admin.conf or
 * kubelet.conf: kubeadm writes those early, so an init that failed later (etcd, upload-certs,
 * the bootstrap token) would pass for done and every join after it would fail. A half-done
 * init makes the next kubeadm init fail its preflight ("already exists"); `kubeadm reset -f` on
 * that node, then apply again (docs/apply.md).
 */
export const INIT_DONE = `${CONFIG_DIR}/init.done`;
export const JOIN_DONE = `${CONFIG_DIR}/join.done`;
const CONTROL_PLANE_TAINT = '[{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]';

export const controlPlanes = (inventory: Inventory): Host[] => hostsWithRole(inventory, 'kube-control-plane');

function firstControlPlane(inventory: Inventory): Host {
  const [first] = controlPlanes(inventory);
  if (!first) throw new Error('engine: a Kubernetes step ran without a kube-control-plane host');
  return first;
}

const withPort = (endpoint: string) => (/:\d+$/.test(endpoint) ? endpoint : `${endpoint}:${API_PORT}`);

/**
 * The STABLE address every node reaches the API on (kubeadm's controlPlaneEndpoint). The
 * inventory's kubernetes.apiEndpoint (a VIP or load balancer) when set. Else the first control
 * plane's NAME, which bootstrap-host.etc-hosts maps to its address in /etc/hosts on every node:
 * when that node is gone, pointing the name at another control plane in /etc/hosts moves the
 * whole cluster over, with no kubeconfig or kubelet.conf to rewrite (its certSANs allow it).
 */
export function controlPlaneEndpoint(inventory: Inventory): string {
  const { apiEndpoint } = inventory.kubernetes;
  return withPort(apiEndpoint ?? firstControlPlane(inventory).name);
}

/**
 * The server the admin host's kubeconfig names. The admin host is not a node: its /etc/hosts
 * is not ours to edit, so without an apiEndpoint it gets the first control plane's address
 * (rewritten by kubernetes.admin-kubeconfig on every apply that sees it change).
 */
export function adminServerUrl(inventory: Inventory): string {
  const { apiEndpoint } = inventory.kubernetes;
  return `https://${withPort(apiEndpoint ?? trafficAddress(firstControlPlane(inventory)))}`;
}

/** Names the API server certificate must carry: the endpoint and every control plane, so it can be repointed. */
function certSans(inventory: Inventory): string[] {
  const endpointHost = controlPlaneEndpoint(inventory).replace(/:\d+$/, '');
  const planes = controlPlanes(inventory).flatMap((host) => [host.name, trafficAddress(host)]);
  return [...new Set([endpointHost, ...planes])];
}

/** A combined node (control plane and worker, Wire's usual three) runs Wire's pods: no taint. */
function taints(host: Host): string {
  return host.roles.includes('kube-worker') ? '[]' : CONTROL_PLANE_TAINT;
}

function inventoryHost(inventory: Inventory, name: string): Host {
  const host = inventory.hosts.find((candidate) => candidate.name === name);
  if (!host) throw new Error(`engine: host ${name} is not in the inventory`);
  return host;
}

const nodeValues = (host: Host) => ({
  nodeName: host.name,
  nodeIp: trafficAddress(host),
  taints: taints(host),
  apiPort: API_PORT,
});

/** kubeadm-init.yaml for the first control plane (InitConfiguration, ClusterConfiguration, kubelet). */
export function renderInitConfig(inventory: Inventory, hostName: string, secrets: WireSecrets): string {
  return renderTemplateFile('kubernetes/kubeadm-init.yaml.tmpl', initValues(inventory, hostName, secrets));
}

export function initValues(inventory: Inventory, hostName: string, secrets: WireSecrets) {
  return {
    ...nodeValues(inventoryHost(inventory, hostName)),
    bootstrapToken: secrets.kubernetes.bootstrapToken,
    certificateKey: secrets.kubernetes.certificateKey,
    kubernetesVersion: KUBERNETES_VERSION,
    controlPlaneEndpoint: controlPlaneEndpoint(inventory),
    podSubnet: inventory.kubernetes.podCidr,
    serviceSubnet: inventory.kubernetes.serviceCidr,
    certSans: `[${certSans(inventory).join(', ')}]`,
  };
}

/** kubeadm-join.yaml for a node; control planes also get the certificate key. */
export function renderJoinConfig(
  inventory: Inventory,
  hostName: string,
  secrets: WireSecrets,
  caCertHash: string,
): string {
  const host = inventoryHost(inventory, hostName);
  const values = {
    ...nodeValues(host),
    bootstrapToken: secrets.kubernetes.bootstrapToken,
    certificateKey: secrets.kubernetes.certificateKey,
    controlPlaneEndpoint: controlPlaneEndpoint(inventory),
    caCertHash,
  };
  const controlPlane = host.roles.includes('kube-control-plane')
    ? renderTemplateFile('kubernetes/kubeadm-join-control-plane.yaml.tmpl', values)
    : '';
  return renderTemplateFile('kubernetes/kubeadm-join.yaml.tmpl', { ...values, controlPlane });
}

/**
 * kubeadm's CA pin: "sha256:" and the SHA-256 of the CA certificate's public key
 * (SubjectPublicKeyInfo, DER), as `kubeadm join --discovery-token-ca-cert-hash` expects.
 */
export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** The CA certificate (PEM) a kubeconfig carries in certificate-authority-data. */
export function kubeconfigCaPem(kubeconfig: string): string {
  const match = /certificate-authority-data:\s*(\S+)/.exec(kubeconfig);
  if (!match?.[1]) throw new Error('the kubeconfig has no certificate-authority-data');
  return Buffer.from(match[1], 'base64').toString('utf8');
}

export const configDir = () => directoryOperation({ path: CONFIG_DIR, mode: 0o700 });

/**
 * kubeadm join on one node, once: guarded by a mark written when it succeeded. The CA pin comes from the admin
 * kubeconfig that kubernetes.admin-kubeconfig fetched (operations are built when the step
 * runs, after it); before that (a plan of a new cluster) the join is shown, not computed.
 */
export function joinNode(
  inventory: Inventory,
  hostName: string,
  secrets: WireSecrets,
  kubeconfigPath: string,
): Operation[] {
  if (!existsSync(kubeconfigPath)) return [joinWithoutPin(kubeconfigPath)];
  const pin = caCertHash(kubeconfigCaPem(readFileSync(kubeconfigPath, 'utf8')));
  return [
    configDir(),
    fileOperation(
      { path: JOIN_CONFIG, content: renderJoinConfig(inventory, hostName, secrets, pin), mode: 0o600 },
      'kubernetes/kubeadm-join.yaml.tmpl',
    ),
    commandOperation({
      name: 'kubeadm join',
      command: `${KUBEADM} join --config ${JOIN_CONFIG} && touch ${JOIN_DONE}`,
      creates: JOIN_DONE,
    }),
  ];
}

/** The join of a plan made before the cluster's CA exists: shown; applying it is refused. */
function joinWithoutPin(kubeconfigPath: string): Operation {
  const reason = `the CA pin is read from ${kubeconfigPath}, which kubernetes.admin-kubeconfig writes`;
  return {
    kind: 'command',
    target: 'kubeadm join',
    inputs: { join: 'without CA pin' },
    async check() {
      return { changes: [`run kubeadm join (${reason})`], notes: [] };
    },
    async apply() {
      throw new WireInstallError({
        what: `cannot join: ${kubeconfigPath} does not exist`,
        evidence: [reason],
        next: 'run apply with kubernetes.init-control-plane and kubernetes.admin-kubeconfig first (or without --only)',
      });
    },
  };
}
