import { join } from 'node:path';
import { shellQuote } from '../../src/hosts/become.js';
import { writeSecretsFile } from '../../src/secrets/file.js';
import { generateSecrets, type WireSecrets } from '../../src/secrets/generate.js';
import { type LabRun, type LabWorkspace, runLabCli, WIRE_CLI } from './lab-cli.js';
import { connectLabHost, type LabHost } from './lab-hosts.js';

/**
 * Helpers for the tests that run Wire's own stages on the lab with the real bin/wire-install:
 * a command on one host, the lab back as booted, and secrets.yaml in a workspace.
 */

/** The real bin/wire-install, with Wire's stages. */
export const runWireCli = (on: LabWorkspace, args: string[], timeoutMs?: number): Promise<LabRun> =>
  runLabCli(on, args, WIRE_CLI, timeoutMs);

/** The lab is Debian 12 in containers on a small machine: preflight must be told so. */
export const ALLOW = ['--allow-unsupported-os', '--allow-undersized'];

export async function onHost(host: LabHost | undefined, command: string, stdin?: string): Promise<string> {
  if (!host) throw new Error('no such lab host');
  const ssh = await connectLabHost(host);
  try {
    return (await ssh.exec(command, stdin === undefined ? {} : { stdin })).stdout;
  } finally {
    ssh.close();
  }
}

/** What Wire's stages put on a host, removed: the lab as booted for the next test file. */
export const RESET_WIRE = [
  'systemctl stop rabbitmq-server postgresql >/dev/null 2>&1 || true',
  "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq chrony rabbitmq-server 'postgresql*' >/dev/null 2>&1 || true",
  'rm -rf /var/lib/rabbitmq /etc/rabbitmq /var/lib/postgresql /etc/postgresql /etc/postgresql-common',
  'rm -rf /etc/wire-install',
  'rm -f /etc/apt/sources.list.d/wire-bundle.list /etc/modules-load.d/wire-install.conf /etc/sysctl.d/60-wire-install-kubernetes.conf',
  'if [ -d /etc/apt/sources-moved-by-wire-install ]; then mv /etc/apt/sources-moved-by-wire-install/* /etc/apt/sources.list.d/ 2>/dev/null; rmdir /etc/apt/sources-moved-by-wire-install; fi',
  "sed -i '/^# BEGIN wire-install hosts$/,/^# END wire-install hosts$/d' /etc/hosts",
  'rm -rf /var/lib/apt/lists/_srv_lab-apt*',
  // Kubernetes node steps (kubernetes.containerd, seed-images, kube-packages, log-rotation).
  'systemctl disable --now containerd kubelet >/dev/null 2>&1 || true',
  'DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq logrotate >/dev/null 2>&1 || true',
  'rm -rf /usr/local/bin/containerd* /usr/local/bin/ctr /usr/local/bin/kubeadm /usr/local/bin/kubelet /usr/local/bin/kubectl /usr/local/bin/crictl /usr/local/sbin/runc /opt/cni /etc/containerd /var/lib/containerd /run/containerd /etc/crictl.yaml /etc/logrotate.d/podlogs',
  'rm -rf /etc/systemd/system/containerd.service /etc/systemd/system/kubelet.service /etc/systemd/system/kubelet.service.d /var/lib/wire-install/downloads /var/lib/wire-install/unpacked /var/lib/wire-install/images',
  'systemctl daemon-reload',
].join('\n');

/** The asset host as booted: serve-assets stopped and /opt/assets gone (the assets stage). */
export const RESET_ASSETS = [
  'systemctl disable --now serve-assets >/dev/null 2>&1 || true',
  'rm -rf /opt/assets /etc/systemd/system/serve-assets.service',
  'systemctl daemon-reload',
].join('\n');

export const resetAssetHost = (host: LabHost | undefined) =>
  onHost(host, `sh -c ${shellQuote(RESET_ASSETS)}`);

/** A Cassandra node as booted: the stand-in Cassandra, its unit, user, data and Java gone (the Cassandra steps). */
export const RESET_CASSANDRA = [
  'systemctl disable --now cassandra >/dev/null 2>&1 || true',
  'systemctl reset-failed cassandra >/dev/null 2>&1 || true',
  'rm -rf /etc/systemd/system/cassandra.service /etc/default/cassandra /opt/apache-cassandra-3.11.19 /mnt/cassandra /var/cache/wire-install/apache-cassandra-3.11.19-bin.tar.gz',
  'userdel cassandra >/dev/null 2>&1 || true',
  'groupdel cassandra >/dev/null 2>&1 || true',
  'DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq openjdk-8-jre-headless >/dev/null 2>&1 || true',
  'systemctl daemon-reload',
].join('\n');

/** Runs a reset script (RESET_CASSANDRA, ...) on each host at once. */
export const resetHosts = (hosts: readonly LabHost[], script: string) =>
  Promise.all(hosts.map((host) => onHost(host, `sh -c ${shellQuote(script)}`)));

export const resetWire = (hosts: readonly LabHost[]) =>
  Promise.all(hosts.map((host) => onHost(host, `sh -c ${shellQuote(RESET_WIRE)}`)));

export async function withSecrets(workspace: LabWorkspace): Promise<WireSecrets> {
  const secrets = generateSecrets();
  await writeSecretsFile(join(workspace.dir, 'secrets.yaml'), secrets);
  return secrets;
}
