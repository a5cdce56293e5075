import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caCertHash, kubeconfigCaPem } from '../../src/cluster/kubeadm.js';
import type { WireSecrets } from '../../src/secrets/generate.js';
import { standInBundle } from '../support/bundle.js';
import { standInCalicoFiles } from '../support/stand-in-calico.js';
import { openSslCa, STAND_IN_KUBEADM } from '../support/stand-in-kubeadm.js';
import { type StandInKubectl, standInKubectl } from '../support/stand-in-kubectl.js';
import { finished, type LabRun, type LabWorkspace, labWorkspace, runLabCli, WIRE_CLI } from './lab-cli.js';
import { type LabHost, labHosts, spareLabHost } from './lab-hosts.js';
import { freshHosts, labNumber } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * The Kubernetes cluster steps through bin/wire-install on the lab: kubeadm init on the first
 * control plane, the admin kubeconfig fetched, Calico applied, the other control planes joined
 * one at a time, the worker joined, labels set and readiness checked.
 *
 * STAND-INS (the lab's containers cannot run a kubelet): kubeadm is the lab stand-in of
 * test/support/stand-in-kubeadm.ts, shipped in the stand-in bundle as binaries/kubeadm and put
 * at /usr/local/bin/kubeadm by this test (the node steps that install the real one are another
 * engineer's); kubectl on the admin side is the stand-in of test/support/stand-in-kubectl.ts,
 * first on PATH for the CLI. The production code path is unchanged: it runs `kubeadm` and
 * `kubectl` as it would with the real ones.
 */

const HOSTS = labHosts().slice(0, 5);
const PLANES = HOSTS.slice(0, 3);
const WORKER = HOSTS[3];
const KUBE_NODES = HOSTS.slice(0, 4);
const ONLY = [
  '--only',
  'preflight.ssh,bootstrap-host,kubernetes.init-control-plane,kubernetes.admin-kubeconfig,kubernetes.cni,kubernetes.join-credentials,kubernetes.join-control-planes,kubernetes.join-workers,kubernetes.nodes-ready',
];
let workspace: LabWorkspace;
let secrets: WireSecrets;
let kubectl: StandInKubectl;
let ca: string;
let firstRun: LabRun;
let firstRunMs: number;
/** The stand-in kubeadm script, from the bundle. */
let script: string;
/** The slot's spare host, in no inventory until it joins as a worker a day after init. */
let added: LabHost | undefined;
/** PATH as it was: the stand-in kubectl must not stay first for the test files after this one. */
const savedPath = process.env.PATH;

/** The inventory with calling roles: sftd (behind NAT) on the 2nd node, coturn on the 3rd. */
function withCalling(bundle: string) {
  return (text: string) =>
    text
      .replace('bundle:\n', `bundle:\n  path: ${bundle}\n`)
      .replace(
        `name: ${PLANES[1]?.name}, address: ${PLANES[1]?.address}, roles: [kube-control-plane, kube-worker,`,
        `name: ${PLANES[1]?.name}, address: ${PLANES[1]?.address}, externalIp: 203.0.113.22, roles: [kube-control-plane, kube-worker, sftd,`,
      )
      .replace(
        `name: ${PLANES[2]?.name}, address: ${PLANES[2]?.address}, roles: [kube-control-plane, kube-worker,`,
        `name: ${PLANES[2]?.name}, address: ${PLANES[2]?.address}, roles: [kube-control-plane, kube-worker, coturn,`,
      );
}

beforeAll(async () => {
  await freshHosts(HOSTS);
  const authority = openSslCa();
  ca = authority.cert;
  const bundle = standInBundle({
    'binaries/kubeadm': { content: STAND_IN_KUBEADM, mode: 0o755 },
    ...standInCalicoFiles(),
  });
  workspace = labWorkspace(5, withCalling(bundle));
  secrets = await withSecrets(workspace);
  // The stand-in kubeadm from the bundle, where kubernetes.kube-packages puts the real one, and
  // the CA it hands out (openssl: the lab image has none).
  script = readFileSync(join(bundle, '.content', 'binaries', 'kubeadm'), 'utf8');
  await Promise.all(
    KUBE_NODES.map(async (host) => {
      await installStandIn(host, script);
      await onHost(
        host,
        'mkdir -p /usr/local/lib/kubeadm-stand-in && cat > /usr/local/lib/kubeadm-stand-in/ca.crt',
        ca,
      );
    }),
  );
  kubectl = standInKubectl(join(workspace.dir, 'kubectl-stand-in'));
  process.env.PATH = `${kubectl.bin}:${process.env.PATH}`;
  const started = performance.now();
  firstRun = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
  firstRunMs = Math.round(performance.now() - started);
}, 180_000);
afterAll(async () => {
  process.env.PATH = savedPath;
  await freshHosts(added ? [...HOSTS, added] : HOSTS);
}, 120_000);

/** The stand-in kubeadm where kubernetes.kube-packages puts the real one, and as kubectl beside it. */
const installStandIn = (host: LabHost | undefined, script: string) =>
  onHost(
    host,
    'cat > /usr/local/bin/kubeadm && chmod 755 /usr/local/bin/kubeadm && cp /usr/local/bin/kubeadm /usr/local/bin/kubectl',
    script,
  );

/** The hosts a step ran on, as started/finished events in order. */
const sequence = (run: LabRun, step: string) =>
  run.events
    .filter((e) => (e.type === 'step-started' || e.type === 'step-finished') && e.step === step)
    .map((e) => `${e.type === 'step-started' ? 'start' : 'end'} ${'host' in e ? e.host : ''}`);

describe('the Kubernetes cluster on the lab (kubeadm and kubectl are stand-ins)', () => {
  it('initialises once on the first control plane and fetches its kubeconfig, 0600, for the admin host', async () => {
    expect(firstRun.exitCode, firstRun.stderr + firstRun.stdout.slice(-3000)).toBe(0);
    console.log(`first apply: ${firstRunMs} ms`);
    const calls = await Promise.all(
      KUBE_NODES.map((host) => onHost(host, 'cat /var/lib/kubeadm-stand-in/calls.log 2>/dev/null || true')),
    );
    expect(calls[0]?.match(/^init /gm)).toHaveLength(1);
    for (const log of calls.slice(1)) expect(log).not.toMatch(/^init /m);
    const kubeconfigPath = join(workspace.dir, '.wire-install', 'admin.conf');
    expect(statSync(kubeconfigPath).mode & 0o777).toBe(0o600);
    const kubeconfig = readFileSync(kubeconfigPath, 'utf8');
    // Without an apiEndpoint the admin host reaches the first control plane by address.
    expect(kubeconfig).toContain(`server: https://${PLANES[0]?.address}:6443`);
    expect(caCertHash(kubeconfigCaPem(kubeconfig))).toBe(caCertHash(ca));
  });

  it('joins the other control planes one at a time, then the worker, with the token and CA pin', async () => {
    expect(sequence(firstRun, 'kubernetes.join-control-planes')).toEqual(
      PLANES.slice(1).flatMap((host) => [`start ${host.name}`, `end ${host.name}`]),
    );
    expect(sequence(firstRun, 'kubernetes.join-workers')).toEqual([
      `start ${WORKER?.name}`,
      `end ${WORKER?.name}`,
    ]);
    // The stand-in API on the first node accepted them, in this order, by name and address.
    const cluster = JSON.parse(await onHost(PLANES[0], 'cat /var/lib/kubeadm-stand-in/cluster.json')) as {
      nodes: { name: string; ip: string; controlPlane: boolean }[];
    };
    expect(cluster.nodes).toEqual(
      KUBE_NODES.map((host, index) => ({ name: host.name, ip: host.address, controlPlane: index < 3 })),
    );
    // The join files hold the token: 0600, as the stand-in insists.
    expect(
      (await onHost(PLANES[1], 'stat -c %a /etc/kubernetes/wire-install/kubeadm-join.yaml')).trim(),
    ).toBe('600');
  });

  it('applies Calico, then waits, labels and checks through kubectl, in that order', () => {
    const calls = kubectl.calls().map((args) => args.slice(0, 3).join(' '));
    expect(calls).toEqual([
      'diff --server-side --force-conflicts',
      'apply --server-side --force-conflicts',
      'wait --for=condition=Ready node',
      'get nodes -o',
      `get node ${PLANES[1]?.name}`,
      `label node ${PLANES[1]?.name}`,
      `annotate node ${PLANES[1]?.name}`,
      `get node ${PLANES[2]?.name}`,
      `label node ${PLANES[2]?.name}`,
      `annotate node ${PLANES[2]?.name}`,
      '-n kube-system get',
    ]);
    const all = kubectl.calls();
    expect(all).toContainEqual(['label', 'node', PLANES[1]?.name, 'wire.com/role=sftd', '--overwrite']);
    // Calico from the archive in binaries.tar, as Wire's kubespray has it: the lab's pod
    // network, VXLAN always, the images of containers-system.tar, portmap in the CNI chain.
    const calico = kubectl.lastApplied();
    expect(calico).toMatch(/- name: CALICO_IPV4POOL_CIDR\n\s+value: "10\.233\.64\.0\/18"/);
    expect(calico).toMatch(/- name: CALICO_IPV4POOL_VXLAN\n\s+value: "Always"/);
    expect(calico).toContain('image: quay.io/calico/node:v3.27.4');
    expect(calico).not.toContain('docker.io/');
    expect(calico).toContain('"type": "portmap"');
    expect(all).toContainEqual([
      'annotate',
      'node',
      PLANES[1]?.name,
      'wire.com/external-ip=203.0.113.22',
      '--overwrite',
    ]);
    expect(all).toContainEqual(['label', 'node', PLANES[2]?.name, 'wire.com/role=coturn', '--overwrite']);
    // No externalIp: coturn's init container still needs the annotation; the host's address.
    expect(all).toContainEqual([
      'annotate',
      'node',
      PLANES[2]?.name,
      `wire.com/external-ip=${PLANES[2]?.address}`,
      '--overwrite',
    ]);
  });

  it('shows no token, certificate key or kubeconfig credential in output or the debug log', () => {
    const logs = join(workspace.dir, '.wire-install', 'logs');
    const text = [
      firstRun.stdout,
      firstRun.stderr,
      ...readdirSync(logs).map((name) => readFileSync(join(logs, name), 'utf8')),
    ].join('\n');
    const clientKey = /client-key-data: (\S+)/.exec(
      readFileSync(join(workspace.dir, '.wire-install', 'admin.conf'), 'utf8'),
    )?.[1];
    expect(text).not.toContain(secrets.kubernetes.bootstrapToken.split('.')[1]);
    expect(text).not.toContain(secrets.kubernetes.certificateKey);
    // The debug log replaces secret values it sees: none may have reached a command line.
    expect(text).not.toContain('[redacted]');
    expect(clientKey).toBeDefined();
    expect(text).not.toContain(clientKey);
  });

  it('changes nothing on a second apply: no init, no join, no kubectl apply or label', async () => {
    const before = kubectl.calls().length;
    const started = performance.now();
    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
    console.log(`second apply: ${Math.round(performance.now() - started)} ms`);
    expect(run.exitCode, run.stderr).toBe(0);
    const kube = finished(run.events).filter((e) => e.step.startsWith('kubernetes.'));
    expect(kube.filter((e) => e.status === 'changed')).toEqual([]);
    // nodes-ready runs on every apply, and asks again.
    expect(kube.find((e) => e.step === 'kubernetes.nodes-ready')?.status).toBe('unchanged');
    const again = kubectl
      .calls()
      .slice(before)
      .map((args) => args[0]);
    expect(again).not.toContain('apply');
    expect(again).not.toContain('label');
    expect(again).toContain('wait');
    const calls = await onHost(PLANES[0], 'cat /var/lib/kubeadm-stand-in/calls.log');
    expect(calls.match(/^init /gm)).toHaveLength(1);
    // Every node has joined: the join credentials are not renewed, however old.
    expect(calls).not.toMatch(/^token create/m);
    expect(calls).not.toMatch(/^init phase upload-certs/m);
  }, 90_000);

  it('joins a worker added a day after init with a bootstrap token created again, once', async () => {
    added = spareLabHost();
    await freshHosts([added]);
    await installStandIn(added, script);
    const inventory = readFileSync(workspace.inventory, 'utf8');
    writeFileSync(
      workspace.inventory,
      `${inventory.trimEnd()}\n  - { name: ${added?.name}, address: ${added?.address}, roles: [kube-worker] }\n`,
    );
    // 25 hours pass for the stand-in cluster (its token lived 24); the hosts' clocks stay.
    await onHost(PLANES[0], '/usr/local/bin/kubeadm stand-in-clock 90000');

    const plan = await runWireCli(workspace, ['apply', '--plan', ...ONLY, ...ALLOW, '--json']);
    expect(plan.exitCode, plan.stderr + plan.stdout.slice(-3000)).toBe(0);
    const credentials = finished(plan.events).find((e) => e.step === 'kubernetes.join-credentials');
    expect(credentials).toMatchObject({ host: PLANES[0]?.name, status: 'would-change' });
    expect(JSON.stringify(credentials)).toContain(`${added?.name} still to join`);

    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
    expect(run.exitCode, run.stderr + run.stdout.slice(-3000)).toBe(0);
    const joins = finished(run.events)
      .filter((e) => e.step === 'kubernetes.join-workers')
      .map((e) => `${e.host} ${e.status}`);
    expect(joins.sort()).toEqual([`${WORKER?.name} current`, `${added?.name} changed`].sort());
    const calls = await onHost(PLANES[0], 'cat /var/lib/kubeadm-stand-in/calls.log');
    expect(calls.match(/^token create --config$/gm)).toHaveLength(1);
    // Only a worker joins: the control-plane certificates are not uploaded again.
    expect(calls).not.toMatch(/^init phase upload-certs/m);
    const cluster = JSON.parse(await onHost(PLANES[0], 'cat /var/lib/kubeadm-stand-in/cluster.json')) as {
      nodes: { name: string }[];
    };
    expect(cluster.nodes.map((node) => node.name)).toContain(added?.name);
    // The token never reached the output or the debug log.
    expect(run.stdout + run.stderr).not.toContain(secrets.kubernetes.bootstrapToken);
    const logs = readdirSync(join(workspace.dir, '.wire-install', 'logs'));
    for (const log of logs)
      expect(readFileSync(join(workspace.dir, '.wire-install', 'logs', log), 'utf8')).not.toContain(
        secrets.kubernetes.bootstrapToken.split('.')[1],
      );

    // Guarded: every node has joined now, so the next apply creates nothing.
    const again = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const after = await onHost(PLANES[0], 'cat /var/lib/kubeadm-stand-in/calls.log');
    expect(after.match(/^token create/gm)).toHaveLength(1);
  }, 180_000);

  it('takes that worker out with remove-host: drained, kubeadm reset on it, deleted; the records forget it', async () => {
    const node = spareLabHost();
    const removeHost = (...args: string[]) =>
      runLabCli(workspace, ['remove-host', node.name, ...args], WIRE_CLI);
    const plan = await removeHost('--plan');
    expect(plan.exitCode, plan.stderr + plan.stdout).toBe(0);
    expect(plan.stdout).toContain(`Kubernetes: drain ${node.name}`);
    const before = kubectl.calls().length;

    const run = await removeHost('--confirm', node.name, '--json');
    expect(run.exitCode, run.stderr + run.stdout.slice(-3000)).toBe(0);
    expect(
      finished(run.events)
        .filter((e) => e.status === 'changed')
        .map((e) => `${e.step} ${e.host}`),
    ).toEqual([
      'remove-host.kubernetes-drain admin host',
      `remove-host.kubeadm-reset ${node.name}`,
      'remove-host.kubernetes-delete-node admin host',
    ]);
    const calls = kubectl
      .calls()
      .slice(before)
      .filter((args) => args[0] === 'drain' || args[0] === 'delete');
    expect(calls.map((args) => args.join(' '))).toEqual([
      `drain ${node.name} --ignore-daemonsets --delete-emptydir-data --timeout=600s`,
      `delete node ${node.name}`,
    ]);
    expect(await onHost(node, 'grep -c "^reset -f" /var/lib/kubeadm-stand-in/calls.log')).toBe('1\n');
    expect(await onHost(node, 'test -e /etc/kubernetes/kubelet.conf && echo joined || echo reset')).toBe(
      'reset\n',
    );
    const cluster = JSON.parse(await onHost(PLANES[0], 'cat /var/lib/kubeadm-stand-in/cluster.json')) as {
      nodes: { name: string }[];
    };
    expect(cluster.nodes.map((entry) => entry.name)).not.toContain(node.name);
    const named = new RegExp(`\\b${node.name}\\b`);
    expect(readFileSync(workspace.inventory, 'utf8')).not.toMatch(named);
    expect(readFileSync(join(workspace.dir, '.wire-install', 'state.json'), 'utf8')).not.toMatch(named);
    // Taken out once: a second run names the host as unknown and changes nothing.
    const again = await removeHost('--plan');
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`${node.name} is not a host of`);
  }, 180_000);

  it('replaces a switched-off control plane: its etcd member removed first, the new one joins with certificates uploaded again', async () => {
    const lost = PLANES[2] as LabHost;
    const fresh = spareLabHost();
    // Only Kubernetes roles on both (the lab inventory gives the old one the databases too, which
    // remove-host's part would refuse here: Cassandra below its replication factor, MinIO). The
    // spare was reset by the test before (kubeadm reset -f) and keeps the stand-in kubeadm.
    writeFileSync(
      workspace.inventory,
      `${readFileSync(workspace.inventory, 'utf8')
        .replace(new RegExp(`(name: ${lost.name}, .*roles: \\[)[^\\]]*`), '$1kube-control-plane, kube-worker')
        .trimEnd()}\n  - { name: ${fresh.name}, address: ${fresh.address}, roles: [kube-control-plane, kube-worker] }\n`,
    );
    const cluster = async () =>
      JSON.parse(await onHost(PLANES[0], 'cat /var/lib/kubeadm-stand-in/cluster.json')) as {
        members: { name: string }[];
        nodes: { name: string }[];
      };
    expect((await cluster()).members.map((member) => member.name)).toEqual(PLANES.map((plane) => plane.name));
    execFileSync('bash', [fileURLToPath(new URL('./lab.sh', import.meta.url)), 'poweroff', labNumber(lost)], {
      timeout: 60_000,
    });
    const before = kubectl.calls().length;
    const run = await runLabCli(
      workspace,
      ['replace-host', lost.name, '--with', fresh.name, ...ONLY, ...ALLOW, '--confirm', lost.name, '--json'],
      WIRE_CLI,
    );
    expect(run.exitCode, run.stderr + run.stdout.slice(-3000)).toBe(0);
    const changed = finished(run.events)
      .filter((e) => e.status === 'changed')
      .map((e) => `${e.step} ${e.host}`);
    const order = [
      'remove-host.etcd-member-remove admin host',
      `kubernetes.join-credentials ${PLANES[0]?.name}`,
      `kubernetes.join-control-planes ${fresh.name}`,
      // The stand-in API reports every node Ready: a real one would have it NotReady, and not drain it.
      'remove-host.kubernetes-drain admin host',
      'remove-host.kubernetes-delete-node admin host',
    ];
    expect(order.map((line) => changed.indexOf(line))).toEqual(
      [...order.map((line) => changed.indexOf(line))].sort((a, b) => a - b),
    );
    expect(
      order.every((line) => changed.includes(line)),
      changed.join('\n'),
    ).toBe(true);
    const removeCall = kubectl
      .calls()
      .slice(before)
      .map((args) => args.join(' '))
      .find((line) => line.includes('member remove'));
    expect(removeCall).toMatch(
      new RegExp(
        `^-n kube-system exec etcd-${PLANES[0]?.name} -- etcdctl --endpoints=https://127.0.0.1:2379 .* member remove [0-9a-f]{16}$`,
      ),
    );
    // The uploaded certificates had expired (2 h; the stand-in's clock is 25 h on): uploaded again, once.
    const calls = await onHost(PLANES[0], 'cat /var/lib/kubeadm-stand-in/calls.log');
    expect(calls.match(/^init phase upload-certs/gm)).toHaveLength(1);
    const after = await cluster();
    expect(after.members.map((member) => member.name)).toEqual([
      PLANES[0]?.name,
      PLANES[1]?.name,
      fresh.name,
    ]);
    expect(after.nodes.map((entry) => entry.name)).not.toContain(lost.name);
    expect(after.nodes.map((entry) => entry.name)).toContain(fresh.name);
    expect(readFileSync(workspace.inventory, 'utf8')).not.toMatch(new RegExp(`\\b${lost.name}\\b`));
  }, 240_000);
});
