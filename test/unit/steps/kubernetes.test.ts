import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_BINARIES } from '../../../src/bundle/binaries.js';
import { adminKubeconfig, fetchAdminKubeconfig } from '../../../src/cluster/admin-kubeconfig.js';
import { CALICO_MANIFEST, calicoManifest, readCalicoManifest } from '../../../src/cluster/calico.js';
import { callingMetadata, metadataCommands } from '../../../src/cluster/calling-labels.js';
import {
  adminServerUrl,
  caCertHash,
  controlPlaneEndpoint,
  INIT_DONE,
  JOIN_DONE,
  joinNode,
  kubeconfigCaPem,
  renderInitConfig,
  renderJoinConfig,
} from '../../../src/cluster/kubeadm.js';
import { nodeFindings, podFindings } from '../../../src/cluster/node-findings.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import type { InventoryInput } from '../../../src/inventory/schema.js';
import type { OperationContext } from '../../../src/operations/types.js';
import { completeSecrets, parseSecretsText } from '../../../src/secrets/file.js';
import { BOOTSTRAP_TOKEN_FORMAT, generateSecrets } from '../../../src/secrets/generate.js';
import { calico } from '../../../src/steps/kubernetes/cni.js';
import { initControlPlane } from '../../../src/steps/kubernetes/init-control-plane.js';
import { standInBundle } from '../../support/bundle.js';
import { production } from '../../support/inventories.js';
import { STAND_IN_CALICO_MANIFEST, standInCalicoFiles } from '../../support/stand-in-calico.js';
import { openSslCa } from '../../support/stand-in-kubeadm.js';

/**
 * What the cluster steps render and compute, checked against Wire's layout: three combined
 * control planes (kubenode1-3, untainted) and one worker-only node
 * (docs/wire/inventory-and-hardware.md#inventory-groups), the pod and service networks of the
 * inventory (docs/wire/inventory-and-hardware.md#group-and-cluster-variables, #os-and-network-rules), the systemd cgroup driver, and kubeadm's CA pin.
 */
const withWorker = (input: InventoryInput) => {
  input.hosts.push({
    name: 'kubenode4',
    address: '10.0.0.4',
    privateAddress: '192.168.122.24',
    roles: ['kube-worker'],
  });
};
const inventory = production((input) => {
  withWorker(input);
  input.kubernetes = { mode: 'bundled', podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' };
});
const secrets = generateSecrets();
const PIN = `sha256:${'ab'.repeat(32)}`;

/** The YAML documents of a rendered file, as text, by kind. */
const documents = (text: string) =>
  new Map(text.split(/^---$/m).map((doc) => [/^kind: (\w+)$/m.exec(doc)?.[1] ?? '', doc]));

describe('kubeadm init configuration (first control plane)', () => {
  const rendered = renderInitConfig(inventory, 'kubenode1', secrets);
  const docs = documents(rendered);

  it('has the init, cluster and kubelet documents kubeadm 1.29 reads', () => {
    expect([...docs.keys()]).toEqual(['InitConfiguration', 'ClusterConfiguration', 'KubeletConfiguration']);
    expect(rendered).toMatch(/^apiVersion: kubeadm\.k8s\.io\/v1beta3$/m);
    expect(docs.get('ClusterConfiguration')).toMatch(/^kubernetesVersion: v1\.29\.10$/m);
  });

  it('takes the pod and service networks from the inventory', () => {
    expect(docs.get('ClusterConfiguration')).toMatch(/^ {2}podSubnet: 10\.244\.0\.0\/16$/m);
    expect(docs.get('ClusterConfiguration')).toMatch(/^ {2}serviceSubnet: 10\.96\.0\.0\/12$/m);
  });

  it("defaults to kubespray's networks, as Wire's bundle (docs/wire/inventory-and-hardware.md#os-and-network-rules)", () => {
    const text = renderInitConfig(production(), 'kubenode1', secrets);
    expect(text).toMatch(/podSubnet: 10\.233\.64\.0\/18$/m);
    expect(text).toMatch(/serviceSubnet: 10\.233\.0\.0\/18$/m);
  });

  it('uses a stable endpoint: the first control plane by name, every control plane in the certificate', () => {
    expect(docs.get('ClusterConfiguration')).toMatch(/^controlPlaneEndpoint: kubenode1:6443$/m);
    expect(docs.get('ClusterConfiguration')).toMatch(
      /certSANs: \[kubenode1, 192\.168\.122\.21, kubenode2, 192\.168\.122\.22, kubenode3, 192\.168\.122\.23\]/,
    );
  });

  it("uses the inventory's apiEndpoint (VIP or load balancer) when there is one", () => {
    const vip = production((input) => {
      input.kubernetes = { mode: 'bundled', apiEndpoint: 'k8s-api.wire.example.com' };
    });
    expect(controlPlaneEndpoint(vip)).toBe('k8s-api.wire.example.com:6443');
    expect(renderInitConfig(vip, 'kubenode1', secrets)).toMatch(
      /^controlPlaneEndpoint: k8s-api\.wire\.example\.com:6443$/m,
    );
    expect(adminServerUrl(vip)).toBe('https://k8s-api.wire.example.com:6443');
    expect(adminServerUrl(inventory)).toBe('https://192.168.122.21:6443');
  });

  it('registers the node by its inventory name and traffic address, untainted as a combined node', () => {
    const init = docs.get('InitConfiguration') ?? '';
    expect(init).toMatch(/^ {2}name: kubenode1$/m);
    expect(init).toMatch(/^ {4}node-ip: 192\.168\.122\.21$/m);
    expect(init).toMatch(/^ {2}advertiseAddress: 192\.168\.122\.21$/m);
    expect(init).toMatch(/^ {2}taints: \[\]$/m);
  });

  it('keeps the control-plane taint on a control plane that is not a worker', () => {
    const dedicated = production((input) => {
      const first = input.hosts[0];
      if (first) first.roles = ['kube-control-plane'];
    });
    expect(renderInitConfig(dedicated, 'kubenode1', secrets)).toMatch(
      /taints: \[\{key: node-role\.kubernetes\.io\/control-plane, effect: NoSchedule\}\]/,
    );
  });

  it('sets the kubelet cgroup driver to systemd (containerd uses systemd cgroups)', () => {
    expect(docs.get('KubeletConfiguration')).toMatch(/^cgroupDriver: systemd$/m);
  });

  it('carries the bootstrap token and certificate key from secrets.yaml', () => {
    expect(secrets.kubernetes.bootstrapToken).toMatch(BOOTSTRAP_TOKEN_FORMAT);
    expect(secrets.kubernetes.certificateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(rendered).toContain(`token: "${secrets.kubernetes.bootstrapToken}"`);
    expect(rendered).toContain(`certificateKey: "${secrets.kubernetes.certificateKey}"`);
  });
});

describe('kubeadm init and join run until they succeed once', () => {
  it("are guarded by a mark written after kubeadm exited 0, not by kubeadm's own early files", () => {
    const init = initControlPlane(inventory, 'kubenode1', secrets).find((op) => op.kind === 'command');
    expect(init?.inputs).toMatchObject({ name: 'kubeadm init', creates: INIT_DONE });
    const dir = mkdtempSync(join(tmpdir(), 'wil-kubeconfig-'));
    const kubeconfigPath = join(dir, 'admin.conf');
    writeFileSync(
      kubeconfigPath,
      adminKubeconfig(
        `server: https://x\n    certificate-authority-data: ${Buffer.from(openSslCa().cert).toString('base64')}\n`,
        'https://kubenode1:6443',
      ),
    );
    const join_ = joinNode(inventory, 'kubenode2', secrets, kubeconfigPath).find(
      (op) => op.kind === 'command',
    );
    expect(join_?.inputs).toMatchObject({ name: 'kubeadm join', creates: JOIN_DONE });
  });
});

describe('kubeadm join configuration', () => {
  it('joins a control plane with the pin, the token and the certificate key, on its own address', () => {
    const text = renderJoinConfig(inventory, 'kubenode2', secrets, PIN);
    expect(text).toMatch(/^kind: JoinConfiguration$/m);
    expect(text).toMatch(/^ {4}apiServerEndpoint: kubenode1:6443$/m);
    expect(text).toContain(`token: "${secrets.kubernetes.bootstrapToken}"`);
    expect(text).toContain(`- "${PIN}"`);
    expect(text).toMatch(/^controlPlane:\n {2}localAPIEndpoint:\n {4}advertiseAddress: 192\.168\.122\.22$/m);
    expect(text).toContain(`certificateKey: "${secrets.kubernetes.certificateKey}"`);
    expect(text).toMatch(/^ {2}name: kubenode2$/m);
  });

  it('joins a worker without the certificate key, on its private address', () => {
    const text = renderJoinConfig(inventory, 'kubenode4', secrets, PIN);
    expect(text).not.toContain('controlPlane:');
    expect(text).not.toContain(secrets.kubernetes.certificateKey);
    expect(text).toMatch(/^ {4}node-ip: 192\.168\.122\.24$/m);
  });
});

describe('CA pin', () => {
  it('is the sha256 of the CA public key, as openssl computes it (kubeadm docs)', () => {
    const { cert, dir } = openSslCa();
    const der = execFileSync('sh', [
      '-c',
      `openssl x509 -pubkey -noout -in ${join(dir, 'ca.crt')} | openssl pkey -pubin -outform der | sha256sum`,
    ]);
    expect(caCertHash(cert)).toBe(`sha256:${String(der).split(' ')[0]}`);
  });

  it('is read from the certificate-authority-data of a kubeconfig', () => {
    const { cert, dir } = openSslCa();
    const kubeconfig = `clusters:\n- cluster:\n    certificate-authority-data: ${Buffer.from(cert).toString('base64')}\n    server: https://kubenode1:6443\n`;
    expect(kubeconfigCaPem(kubeconfig)).toBe(readFileSync(join(dir, 'ca.crt'), 'utf8'));
    expect(adminKubeconfig(kubeconfig, 'https://192.168.122.21:6443')).toContain(
      '    server: https://192.168.122.21:6443\n',
    );
  });
});

describe('Calico manifest (docs/wire/deployment-sources.md#calico)', () => {
  const edited = calicoManifest(STAND_IN_CALICO_MANIFEST, '10.233.64.0/18');

  it("gets the inventory's pod network as its IP pool", () => {
    const upstream =
      '"type": "portmap"\n            # - name: CALICO_IPV4POOL_CIDR\n            #   value: "192.168.0.0/16"\n';
    expect(calicoManifest(upstream, '10.233.64.0/18')).toBe(
      '"type": "portmap"\n            - name: CALICO_IPV4POOL_CIDR\n              value: "10.233.64.0/18"\n',
    );
  });

  it("is set up as Wire's kubespray runs Calico: VXLAN always, the images of containers-system.tar", () => {
    expect(edited).toMatch(/- name: CALICO_IPV4POOL_VXLAN\n\s+value: "Always"/);
    expect(edited).toMatch(/- name: CALICO_IPV4POOL_IPIP\n\s+value: "Never"/);
    expect(edited).toContain('calico_backend: "vxlan"');
    for (const image of ['cni', 'node', 'kube-controllers'])
      expect(edited).toContain(`image: quay.io/calico/${image}:v3.27.4`);
    expect(edited).not.toContain('docker.io/');
  });

  it("keeps portmap in the CNI chain (a demo's hostPorts) and refuses a manifest without it", () => {
    expect(edited).toContain('"type": "portmap"');
    const without = STAND_IN_CALICO_MANIFEST.replace('"type": "portmap"', '"type": "tuning"');
    expect(() => calicoManifest(without, '10.233.64.0/18')).toThrow(/no portmap plugin/);
  });

  it("reads calico-vxlan.yaml out of Calico's archive in the bundle's binaries.tar", async () => {
    expect(BUNDLE_BINARIES.calicoArchive).toBe('binaries/v3.27.4.tar.gz');
    expect(CALICO_MANIFEST).toBe('calico-3.27.4/manifests/calico-vxlan.yaml');
    expect(await readCalicoManifest(standInBundle(standInCalicoFiles()))).toBe(STAND_IN_CALICO_MANIFEST);
    await expect(readCalicoManifest(standInBundle())).rejects.toThrow(
      /cannot read calico-3\.27\.4\/manifests\/calico-vxlan\.yaml from binaries\/v3\.27\.4\.tar\.gz/,
    );
  });

  it('gives kubectl the edited manifest from the bundle', async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'wil-kubeconfig-')), 'admin.conf');
    writeFileSync(kubeconfig, 'server: https://192.168.122.21:6443\n');
    const stdin: string[] = [];
    const admin: RemoteHost = {
      name: 'admin',
      async exec(_command, options) {
        stdin.push(String(options?.stdin ?? ''));
        return { stdout: '', stderr: '', exitCode: 0 };
      },
      async putFile() {},
      close() {},
    };
    const context = { host: admin, facts: {}, changedPaths: new Set() } as unknown as OperationContext;
    const [apply] = calico(inventory, standInBundle(standInCalicoFiles()), kubeconfig);
    expect((await apply?.check(context))?.changes).toEqual([]);
    expect(stdin).toEqual([calicoManifest(STAND_IN_CALICO_MANIFEST, inventory.kubernetes.podCidr)]);
  });
});

describe('calling labels and readiness (docs/wire/install-sequences.md#calling-nodes, docs/wire/health-and-ports.md#health-checks)', () => {
  it('labels sftd and coturn nodes and annotates their external IPs', () => {
    const wanted = callingMetadata(inventory);
    expect(wanted.get('kubenode2')).toEqual({
      labels: { 'wire.com/role': 'sftd' },
      annotations: { 'wire.com/external-ip': '203.0.113.22' },
    });
    expect(wanted.get('kubenode3')?.labels).toEqual({ 'wire.com/role': 'coturn' });
    expect(wanted.has('kubenode1')).toBe(false);
  });

  it('asks kubectl only for what differs, with --overwrite', () => {
    const wanted = {
      labels: { 'wire.com/role': 'sftd' },
      annotations: { 'wire.com/external-ip': '203.0.113.22' },
    };
    expect(metadataCommands('kubenode2', wanted, { labels: {}, annotations: {} })).toEqual([
      'label node kubenode2 wire.com/role=sftd --overwrite',
      'annotate node kubenode2 wire.com/external-ip=203.0.113.22 --overwrite',
    ]);
    expect(metadataCommands('kubenode2', wanted, wanted)).toEqual([]);
  });

  it('finds nodes missing or not Ready, and kube-system pods not Running', () => {
    const ready = (name: string, status = 'True') => ({
      metadata: { name },
      status: { conditions: [{ type: 'Ready', status }] },
    });
    const findings = nodeFindings(inventory, {
      items: [ready('kubenode1'), ready('kubenode2', 'False'), ready('kubenode3')],
    });
    expect(findings.map((f) => f.rule)).toEqual(['kubernetes.nodes-registered', 'kubernetes.nodes-ready']);
    expect(findings[0]?.message).toContain('kubenode4');
    expect(findings[1]?.message).toContain('kubenode2');
    expect(
      nodeFindings(inventory, {
        items: ['kubenode1', 'kubenode2', 'kubenode3', 'kubenode4'].map((n) => ready(n)),
      }),
    ).toEqual([]);
    const pods = podFindings({
      items: [
        { metadata: { name: 'coredns-1' }, status: { phase: 'Pending' } },
        { metadata: { name: 'calico-node-1' }, status: { phase: 'Running' } },
      ],
    });
    expect(pods[0]?.message).toBe('kube-system pods not Running: coredns-1 (Pending)');
  });
});

describe('an older secrets.yaml', () => {
  it('lacks the kubeadm secrets, which wire-install init adds', () => {
    const text = 'apiVersion: wire-install/v1\nkind: Secrets\nturnSecret: abc\n';
    const { secrets: completed, added } = completeSecrets(parseSecretsText(text, 'secrets.yaml'));
    expect(added).toEqual(expect.arrayContaining(['kubernetes.bootstrapToken', 'kubernetes.certificateKey']));
    expect(completed.kubernetes.bootstrapToken).toMatch(BOOTSTRAP_TOKEN_FORMAT);
  });
});

describe('a plan before the cluster exists', () => {
  /** A host where nothing is installed: every command fails, as `cat admin.conf` would. */
  const calls: string[] = [];
  const bare: RemoteHost = {
    name: 'kubenode1',
    async exec(command) {
      calls.push(command);
      return { stdout: '', stderr: 'No such file or directory', exitCode: 1 };
    },
    async putFile() {},
    close() {},
  };
  const context = { host: bare, facts: {}, changedPaths: new Set() } as unknown as OperationContext;
  const missing = '/nonexistent/wire-install-test/admin.conf';

  it('shows the kubeconfig fetch, the Calico apply and the joins, asking no cluster', async () => {
    expect((await fetchAdminKubeconfig(inventory, missing).check(context)).changes).toEqual([
      `fetch /etc/kubernetes/admin.conf to ${missing} (after kubeadm init)`,
    ]);
    const before = calls.length;
    const [apply] = calico(inventory, '/nonexistent-bundle', missing);
    expect((await apply?.check(context))?.changes[0]).toMatch(
      /^kubectl apply Calico .*once kubernetes\.admin-kubeconfig/,
    );
    expect(calls.length).toBe(before);
    const [join] = joinNode(inventory, 'kubenode2', secrets, missing);
    expect((await join?.check(context))?.changes[0]).toContain('run kubeadm join');
    await expect(join?.apply(context)).rejects.toThrow(`cannot join: ${missing} does not exist`);
  });
});
