import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standInBundle } from '../support/bundle.js';
import { imageTarName, kubernetesNodeStandIns } from '../support/stand-in-kubernetes-node.js';
import { finished, type LabRun, type LabWorkspace, labWorkspaceWithBundle } from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';
import { ALLOW, onHost, runWireCli } from './wire-lab.js';

/**
 * The Kubernetes node steps on the lab through bin/wire-install, with a stand-in bundle whose
 * binaries.tar holds lab STAND-INS for containerd, ctr, runc, kubelet, kubeadm, kubectl, crictl
 * and the CNI plugins (test/support/stand-in-kubernetes-node.ts) and whose image folders hold
 * real docker-archive tars. The four kube nodes get the binaries from the asset host (the fifth
 * host), containerd runs with the rendered config.toml, every listed image is imported once and
 * skipped afterwards; a new image in a new bundle is the only one imported; a corrupt tarball on
 * the asset host fails the step by name, and once fixed the next run imports just that one.
 */

const HOSTS = labHosts().slice(0, 5);
const KUBE = HOSTS.slice(0, 4);
const ASSET_HOST = HOSTS[4];
const STEPS = [
  'kubernetes.containerd',
  'kubernetes.seed-images',
  'kubernetes.kube-packages',
  'kubernetes.log-rotation',
];
const ONLY = ['--only', `preflight.ssh,assets,bootstrap-host,${STEPS.join(',')}`];
const SYSTEM = ['registry.k8s.io/pause:3.9', 'registry.k8s.io/coredns/coredns:v1.11.4'];
const HELM = ['quay.io/wire/brig:5.32.0', 'quay.io/wire/galley:5.32.0'];

function withImages(helm: string[]): LabWorkspace {
  const bundle = standInBundle(kubernetesNodeStandIns({ system: SYSTEM, helm }));
  return labWorkspaceWithBundle(5, bundle);
}

const apply = (workspace: LabWorkspace, ...extra: string[]) =>
  runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json', ...extra]);

/** What seed-images changed, per kube host. */
function imports(run: LabRun): Map<string, string[]> {
  return new Map(
    finished(run.events)
      .filter((e) => e.step === 'kubernetes.seed-images')
      .map((e) => [e.host, e.changes]),
  );
}

const imagesOn = async (host: (typeof HOSTS)[number]) =>
  (await onHost(host, 'ctr -n k8s.io images ls -q')).trim().split('\n').sort();

const reset = () => freshHosts(HOSTS);
beforeAll(reset, 120_000);
afterAll(reset, 120_000);

describe('Kubernetes nodes on the lab', () => {
  let workspace: LabWorkspace;

  it('installs containerd, the binaries and log rotation, and imports every listed image', async () => {
    workspace = withImages(HELM);
    // A plan on fresh hosts: nothing is served nor installed yet, which is said, not failed.
    const plan = await apply(workspace, '--plan');
    expect(plan.exitCode, plan.stderr + plan.stdout.slice(-2000)).toBe(0);
    const containerdPlan = finished(plan.events).find((e) => e.step === 'kubernetes.containerd');
    expect(containerdPlan?.status).toBe('would-change');
    expect(containerdPlan?.notes.join('\n')).toContain('cannot be checked before apply');
    expect(imports(plan).get(KUBE[0]?.name ?? '')?.[0]).toMatch(
      /^import the images listed in containers-system/,
    );

    const run = await apply(workspace);
    expect(run.exitCode, run.stderr + run.stdout.slice(-3000)).toBe(0);
    // The node steps ran on the four kube hosts only.
    for (const step of STEPS)
      expect(
        finished(run.events)
          .filter((e) => e.step === step)
          .map((e) => e.host)
          .sort(),
      ).toEqual(KUBE.map((h) => h.name).sort());
    for (const host of KUBE) {
      const files = await onHost(
        host,
        'for f in /usr/local/bin/containerd /usr/local/bin/ctr /usr/local/sbin/runc /usr/local/bin/kubeadm /usr/local/bin/kubelet /usr/local/bin/kubectl /usr/local/bin/crictl /opt/cni/bin/bridge /opt/cni/bin/portmap; do [ -x $f ] && echo $f; done',
      );
      expect(files.trim().split('\n')).toHaveLength(9);
      expect(await onHost(host, 'systemctl is-active containerd; systemctl is-enabled kubelet')).toBe(
        'active\nenabled\n',
      );
      // The stand-in containerd read the rendered config (it fails on a broken one).
      expect(await onHost(host, 'journalctl -u containerd -o cat | grep -c "serving on"')).not.toBe('0\n');
      expect(await imagesOn(host)).toEqual([...SYSTEM, ...HELM].sort());
      expect(
        await onHost(host, 'logrotate --debug /etc/logrotate.d/podlogs 2>&1 | grep -c "rotating pattern"'),
      ).toBe('1\n');
    }
    // Each tarball imported once per host, named in the step's changes.
    for (const host of KUBE)
      expect(imports(run).get(host.name)?.sort()).toEqual(
        [
          ...SYSTEM.map((image) => `import containers-system/${imageTarName(image)} (${image})`),
          ...HELM.map((image) => `import containers-helm/${imageTarName(image)} (${image})`),
        ].sort(),
      );
  }, 120_000);

  it('changes nothing and imports nothing on a second apply, even with the steps forced', async () => {
    const run = await apply(workspace, '--force', STEPS.join(','));
    expect(run.exitCode, run.stderr + run.stdout.slice(-2000)).toBe(0);
    const node = finished(run.events).filter((e) => STEPS.includes(e.step));
    expect(node).toHaveLength(STEPS.length * KUBE.length);
    expect(node.filter((e) => e.status === 'changed').map((e) => `${e.step} ${e.host} ${e.changes}`)).toEqual(
      [],
    );
    const seed = node.find((e) => e.step === 'kubernetes.seed-images');
    expect(seed?.notes).toContain('4 image tarballs listed: 0 imported, 4 already in containerd');
  }, 60_000);

  it('rewrites a broken config.toml and restarts containerd with it', async () => {
    const host = KUBE[1] as (typeof KUBE)[number];
    // The stand-in, like containerd, does not start on a broken file.
    await onHost(host, "echo 'version = [' > /etc/containerd/config.toml; systemctl restart containerd");
    expect(await onHost(host, 'systemctl is-active containerd')).not.toBe('active\n');
    const run = await runWireCli(workspace, [
      'apply',
      '--only',
      'preflight.ssh,kubernetes.containerd',
      '--force',
      'kubernetes.containerd',
      '--json',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const fixed = finished(run.events).find(
      (e) => e.step === 'kubernetes.containerd' && e.host === host?.name,
    );
    expect(fixed?.changes).toContain('update /etc/containerd/config.toml (content)');
    expect(fixed?.changes.join('\n')).toMatch(/(start|restart) containerd\.service/);
    expect(await onHost(host, 'systemctl is-active containerd')).toBe('active\n');
    expect(await imagesOn(host)).toEqual([...SYSTEM, ...HELM].sort());
  }, 60_000);

  it('plans, then imports, only the new image of a new bundle, and again an image gone from containerd', async () => {
    const cannon = 'quay.io/wire/cannon:5.32.0';
    const cannonTar = `containers-helm/${imageTarName(cannon)}`;
    workspace = withImages([...HELM, cannon]);
    const assets = await runWireCli(workspace, ['apply', '--only', 'preflight.ssh,assets', '--json']);
    expect(assets.exitCode, assets.stderr).toBe(0);
    // An image gone from containerd (removed by hand) is imported again, by its record.
    await onHost(KUBE[0], 'rm -f /var/lib/containerd/lab-stand-in-images/k8s.io');

    const plan = await apply(workspace, '--plan');
    expect(plan.exitCode, plan.stderr).toBe(0);
    for (const host of KUBE.slice(1))
      expect(imports(plan).get(host.name)).toEqual([`import ${cannonTar} (new)`]);
    expect(imports(plan).get(KUBE[0]?.name ?? '')).toEqual(
      expect.arrayContaining([
        `import ${cannonTar} (new)`,
        `import containers-helm/${imageTarName(HELM[0] ?? '')} (${HELM[0]} not in containerd)`,
      ]),
    );

    const run = await apply(workspace);
    expect(run.exitCode, run.stderr).toBe(0);
    for (const host of KUBE.slice(1))
      expect(imports(run).get(host.name)).toEqual([`import ${cannonTar} (${cannon})`]);
    expect(imports(run).get(KUBE[0]?.name ?? '')).toHaveLength(5);
    for (const host of KUBE) expect(await imagesOn(host)).toContain(cannon);
  }, 90_000);

  it('fails naming a corrupt tarball on the asset host, imports the others, and resumes once it is fixed', async () => {
    const [gundeck, spar] = ['quay.io/wire/gundeck:5.32.0', 'quay.io/wire/spar:5.32.0'];
    workspace = withImages([...HELM, gundeck, spar]);
    const assets = await runWireCli(workspace, ['apply', '--only', 'preflight.ssh,assets', '--json']);
    expect(assets.exitCode, assets.stderr).toBe(0);
    const served = `/opt/assets/containers-helm/${imageTarName(gundeck)}`;
    await onHost(ASSET_HOST, `cp ${served} /root/gundeck.good && echo corrupt > ${served}`);

    const failed = await apply(workspace);
    expect(failed.exitCode).not.toBe(0);
    const failures = failed.events.filter((e) => e.type === 'failure');
    expect(failures.map((e) => ('host' in e ? e.host : '')).sort()).toEqual(KUBE.map((h) => h.name).sort());
    for (const failure of failures)
      expect(JSON.stringify(failure)).toContain(`containers-helm/${imageTarName(gundeck)}`);
    // The good one went in and was recorded; the corrupt one did not.
    for (const host of KUBE) {
      const images = await imagesOn(host);
      expect(images).toContain(spar);
      expect(images).not.toContain(gundeck);
    }

    await onHost(ASSET_HOST, `mv /root/gundeck.good ${served}`);
    const resumed = await apply(workspace);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    for (const host of KUBE) {
      expect(imports(resumed).get(host.name)).toEqual([
        `import containers-helm/${imageTarName(gundeck)} (${gundeck})`,
      ]);
      expect(await imagesOn(host)).toContain(gundeck);
    }
  }, 120_000);
});
