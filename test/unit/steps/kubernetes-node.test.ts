import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUNDLE_BINARIES } from '../../../src/bundle/binaries.js';
import { CNI_BIN_DIR, CONTAINERD_SOCKET } from '../../../src/cluster/node-binaries.js';
import {
  importedImages,
  parseChecksums,
  parseIndex,
  parseRecords,
} from '../../../src/operations/containerd-images.js';
import type { WireStageOptions } from '../../../src/steps/define-step.js';
import {
  CONTAINERD_CONFIG,
  containerd,
  containerdStep,
  containerdValues,
} from '../../../src/steps/kubernetes/containerd.js';
import { kubernetesSteps } from '../../../src/steps/kubernetes/index.js';
import { kubePackages, kubePackagesStep } from '../../../src/steps/kubernetes/kube-packages.js';
import { logRotation, logRotationStep } from '../../../src/steps/kubernetes/log-rotation.js';
import { seedImages, seedImagesStep } from '../../../src/steps/kubernetes/seed-images.js';
import { renderTemplateFile } from '../../../src/templates/load.js';
import { production } from '../../support/inventories.js';

/**
 * What the Kubernetes node steps would write, from the templates and the inventory, checked
 * against what Wire's kubespray setup and kubeadm v1.29 need (docs/wire/install-sequences.md#cluster-and-databases-playbooks, docs/wire/inventory-and-hardware.md#group-and-cluster-variables, docs/wire/health-and-ports.md#health-checks).
 * The lab test runs them on hosts with stand-in binaries.
 */

const inventory = production();
const options = { bundleRoot: '/nonexistent-bundle' } as WireStageOptions;
const config = renderTemplateFile('kubernetes/containerd-config.toml', containerdValues());

/** The rendered config.toml read by a real TOML parser (python3's tomllib), as containerd reads it. */
function parseToml(text: string): Record<string, unknown> {
  const json = execFileSync(
    'python3',
    ['-c', 'import sys,json,tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))'],
    { input: text },
  );
  return JSON.parse(json.toString()) as Record<string, unknown>;
}

type Ops = { kind: string; target: string; inputs: unknown }[];
const targets = (operations: Ops) => operations.map((op) => `${op.kind} ${op.target}`);

describe('containerd config.toml', () => {
  // biome-ignore lint/suspicious/noExplicitAny: a parsed TOML document, walked by key.
  const toml = parseToml(config) as any;
  const cri = toml.plugins['io.containerd.grpc.v1.cri'];

  it('uses the systemd cgroup driver, as kubeadm configures the kubelet', () => {
    expect(toml.version).toBe(2);
    expect(cri.containerd.default_runtime_name).toBe('runc');
    expect(cri.containerd.runtimes.runc.runtime_type).toBe('io.containerd.runc.v2');
    expect(cri.containerd.runtimes.runc.options.SystemdCgroup).toBe(true);
  });

  it('names the pause image kubeadm v1.29 expects, and no registry (images are seeded)', () => {
    expect(cri.sandbox_image).toBe('registry.k8s.io/pause:3.9');
    expect(config).not.toMatch(/registry\.mirrors|\[plugins\."io\.containerd\.grpc\.v1\.cri"\.registry/);
  });

  it('points at the runc, CNI plugins and socket the other operations install and use', () => {
    const runc = targets(containerd(inventory, options)).find((t) => t.endsWith('/runc'));
    expect(runc).toBe('asset /usr/local/sbin/runc');
    expect(cri.containerd.runtimes.runc.options.BinaryName).toBe('/usr/local/sbin/runc');
    expect(cri.cni.bin_dir).toBe(CNI_BIN_DIR);
    expect(targets(kubePackages(inventory, options))).toContain(
      `command unpack ${BUNDLE_BINARIES.cniPlugins.replace('binaries/', '')} into ${CNI_BIN_DIR}`,
    );
    expect(toml.grpc.address).toBe(CONTAINERD_SOCKET);
    const crictl = renderTemplateFile('kubernetes/crictl.yaml.tmpl', { socket: CONTAINERD_SOCKET });
    expect(crictl).toContain(`runtime-endpoint: unix://${CONTAINERD_SOCKET}`);
  });
});

describe('units', () => {
  it('starts containerd from the release tarball with this config, as a notify service', () => {
    const unit = renderTemplateFile('kubernetes/containerd.service', containerdValues());
    expect(unit).toMatch(
      /^ExecStart=\/usr\/local\/bin\/containerd --config \/etc\/containerd\/config\.toml$/m,
    );
    expect(unit).toMatch(/^Type=notify$/m);
    // Containers outlive a containerd restart; the kubelet's cgroups are delegated to it.
    expect(unit).toMatch(/^KillMode=process$/m);
    expect(unit).toMatch(/^Delegate=yes$/m);
    const ops = containerd(inventory, options);
    expect(targets(ops)).toEqual([
      `asset /var/lib/wire-install/downloads/containerd-1.7.22-linux-amd64.tar.gz`,
      'command unpack containerd-1.7.22-linux-amd64.tar.gz into /usr/local',
      'asset /usr/local/sbin/runc',
      'directory /etc/containerd',
      `template ${CONTAINERD_CONFIG}`,
      'template /etc/systemd/system/containerd.service',
      'systemd-unit containerd.service',
      'check containerd answers (ctr version)',
    ]);
    const service = ops.find((op) => op.kind === 'systemd-unit')?.inputs as { restartWhenChanged: string[] };
    expect(service.restartWhenChanged).toContain(CONTAINERD_CONFIG);
  });

  it("runs the kubelet with kubeadm's drop-in: its kubeconfigs, config.yaml and flags file", () => {
    const values = { kubelet: '/usr/local/bin/kubelet', socket: CONTAINERD_SOCKET };
    expect(renderTemplateFile('kubernetes/kubelet.service', values)).toMatch(
      /^ExecStart=\/usr\/local\/bin\/kubelet$/m,
    );
    const dropIn = renderTemplateFile('kubernetes/10-kubeadm.conf', values);
    expect(dropIn).toContain('--kubeconfig=/etc/kubernetes/kubelet.conf');
    expect(dropIn).toContain('--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf');
    expect(dropIn).toContain('--config=/var/lib/kubelet/config.yaml');
    expect(dropIn).toContain('EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env');
    // The unit's ExecStart is reset before the drop-in's, else systemd refuses two.
    expect(dropIn).toMatch(
      /^ExecStart=\n^ExecStart=\/usr\/local\/bin\/kubelet \$KUBELET_KUBECONFIG_ARGS \$KUBELET_CONFIG_ARGS \$KUBELET_KUBEADM_ARGS \$KUBELET_EXTRA_ARGS$/m,
    );
  });

  it('installs the bundle binaries where the units and kubeadm look, and only enables the kubelet', () => {
    const ops = targets(kubePackages(inventory, options));
    expect(ops).toEqual(
      expect.arrayContaining([
        'asset /usr/local/bin/kubeadm',
        'asset /usr/local/bin/kubelet',
        'asset /usr/local/bin/kubectl',
        'command unpack crictl-v1.29.0-linux-amd64.tar.gz into /usr/local/bin',
        'template /etc/systemd/system/kubelet.service',
        'template /etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
        'command enable kubelet.service (kubeadm init/join starts it)',
      ]),
    );
    // Never a systemd-unit operation that would start (or stop) the kubelet.
    expect(ops.filter((t) => t.startsWith('systemd-unit'))).toEqual([]);
  });
});

describe('pod log rotation', () => {
  it("is Wire's kubernetes_logging.yml: daily, two kept, none older than a day, copytruncate", () => {
    const ops = logRotation();
    expect(targets(ops)).toContain('apt-package logrotate');
    const text = renderTemplateFile('kubernetes/logrotate-podlogs', { podLogs: '/var/log/pods/*/*/*.log' });
    const block = /^\/var\/log\/pods\/\*\/\*\/\*\.log \{\n([\s\S]*?)\n\}/m.exec(text)?.[1] ?? '';
    expect(block.split('\n').map((line) => line.trim())).toEqual([
      'daily',
      'missingok',
      'rotate 2',
      'maxage 1',
      'copytruncate',
      'nocreate',
      'nocompress',
    ]);
  });
});

describe('image seeding', () => {
  it("reads both of Wire's indexes from the asset host, under the upload limit", () => {
    const [seed] = seedImages(inventory, options);
    expect(seed?.inputs).toMatchObject({
      baseUrl: 'http://192.168.122.10:8080',
      folders: ['containers-system', 'containers-helm'],
      namespace: 'k8s.io',
    });
    expect(seedImagesStep.upload).toBe(true);
  });

  it('parses the index, the published checksums, what ctr imported and the records', () => {
    expect(parseIndex('a.tar\n\n# comment\nb.tar  c.tar\n')).toEqual(['a.tar', 'b.tar', 'c.tar']);
    const sum = 'a'.repeat(64);
    expect(
      parseChecksums(`${sum}  containers-helm/a.tar\n${'b'.repeat(64)}  ./containers-helm/b.tar\n`),
    ).toEqual(
      new Map([
        ['containers-helm/a.tar', sum],
        ['containers-helm/b.tar', 'b'.repeat(64)],
      ]),
    );
    expect(
      importedImages(
        'unpacking quay.io/wire/brig:5.32.0 (sha256:0123)...done\nunpacking registry.k8s.io/pause:3.9 (sha256:4567)...done\n',
      ),
    ).toEqual(['quay.io/wire/brig:5.32.0', 'registry.k8s.io/pause:3.9']);
    expect(
      parseRecords(
        `== /var/lib/wire-install/images/${sum}\nfile containers-helm/a.tar\nimage x:1\nimage y:2\n`,
      ),
    ).toEqual(new Map([[sum, { file: 'containers-helm/a.tar', images: ['x:1', 'y:2'] }]]));
  });
});

describe('the step ids', () => {
  it('implements exactly the four node steps, each defined in the kubernetes stage', () => {
    const ids = kubernetesSteps.map((step) => step.id);
    const nodeSteps = [containerdStep, seedImagesStep, kubePackagesStep, logRotationStep];
    expect(nodeSteps.map((step) => step.id).sort()).toEqual([
      'kubernetes.containerd',
      'kubernetes.kube-packages',
      'kubernetes.log-rotation',
      'kubernetes.seed-images',
    ]);
    for (const step of nodeSteps) {
      expect(ids).toContain(step.id);
      expect(kubernetesSteps).toContain(step);
      expect(typeof step.operations).toBe('function');
    }
    // From the bundle through the asset host; log rotation is a package and a template.
    expect(nodeSteps.map((step) => [step.id, step.needs])).toEqual([
      ['kubernetes.containerd', ['bundle']],
      ['kubernetes.seed-images', ['bundle']],
      ['kubernetes.kube-packages', ['bundle']],
      ['kubernetes.log-rotation', []],
    ]);
  });
});
