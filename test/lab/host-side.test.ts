import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredDnsNames } from '../../src/rules/dns-names.js';
import { standInBundle } from '../support/bundle.js';
import { startDnsmasq, type TestDns } from '../support/dnsmasq.js';
import { standInCalicoFiles } from '../support/stand-in-calico.js';
import { standInCassandraTarball } from '../support/stand-in-cassandra.js';
import { standInElasticsearchFiles } from '../support/stand-in-elasticsearch.js';
import { openSslCa, STAND_IN_CA_PATH, STAND_IN_KUBEADM } from '../support/stand-in-kubeadm.js';
import { standInKubectl } from '../support/stand-in-kubectl.js';
import { kubernetesNodeStandIns } from '../support/stand-in-kubernetes-node.js';
import { standInMinioFiles } from '../support/stand-in-minio.js';
import { finished, type LabRun, type LabWorkspace, labWorkspaceWithBundle, started } from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * Every host-side stage of Wire's install in one run, as an operator would start it:
 * `apply --only preflight,assets,bootstrap-host,kubernetes,databases` on the five lab hosts,
 * then a second apply that changes nothing.
 *
 * Real here: SSH, systemd, apt from the lab's repository, files, chrony, PostgreSQL and
 * RabbitMQ, the asset host serving the bundle over HTTP, a real DNS server (dnsmasq on
 * loopback) for Wire's names. STAND-INS (named, at the process boundary; the production code
 * runs them exactly as it would run the real ones): the bundle's Cassandra tarball,
 * Elasticsearch .deb, MinIO and mc, containerd/ctr/runc/kubelet/kubeadm and the image tarballs
 * (test/support/stand-in-*.ts), and helm and kubectl on the admin host (PATH).
 */

const HOSTS = labHosts().slice(0, 5);
const KUBE_NODES = HOSTS.slice(0, 4);
const ASSET_HOST = HOSTS[4];
const STAGES = ['preflight', 'assets', 'bootstrap-host', 'kubernetes', 'databases'];
const DOMAIN = 'wire.lab.test';
/** Every stage on five hosts: 85-140 s on this 2-CPU machine. */
const FIRST_RUN_TIMEOUT_MS = 480_000;

let workspace: LabWorkspace;
let dns: TestDns;
let first: LabRun;
let firstMs = 0;
const savedPath = process.env.PATH;

const resetAll = () => freshHosts(HOSTS);

/** A stand-in helm for preflight.admin-tools (the workloads stage, which runs helm, is not selected). */
function standInHelm(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'helm');
  writeFileSync(
    path,
    '#!/bin/sh\n# stand-in for helm: answers `helm version --short` only\necho v3.15.0+gstandin\n',
  );
  chmodSync(path, 0o755);
}

beforeAll(async () => {
  await resetAll();
  const bundle = standInBundle({
    ...kubernetesNodeStandIns({ system: ['registry.k8s.io/pause:3.9'], helm: ['quay.io/wire/brig:5.32.0'] }),
    // The cluster steps' stand-in kubeadm (it also serves a small API the joins check).
    'binaries/kubeadm': { content: STAND_IN_KUBEADM, mode: 0o755 },
    // The same stand-in as kubectl: kubernetes.join-credentials lists the nodes with it.
    'binaries/kubectl': { content: STAND_IN_KUBEADM, mode: 0o755 },
    'binaries/apache-cassandra-3.11.19-bin.tar.gz': { from: standInCassandraTarball() },
    ...standInElasticsearchFiles(),
    ...standInMinioFiles(),
    ...standInCalicoFiles(),
  });
  workspace = labWorkspaceWithBundle(5, bundle);
  await withSecrets(workspace);
  // The CA the stand-in kubeadm hands out (openssl: the lab image has none).
  const ca = openSslCa().cert;
  await Promise.all(
    KUBE_NODES.map((host) =>
      onHost(host, `mkdir -p "$(dirname ${STAND_IN_CA_PATH})" && cat > ${STAND_IN_CA_PATH}`, ca),
    ),
  );
  const kubectl = standInKubectl(join(workspace.dir, 'kubectl-stand-in'));
  standInHelm(join(workspace.dir, 'helm-stand-in'));
  process.env.PATH = `${kubectl.bin}:${join(workspace.dir, 'helm-stand-in')}:${savedPath}`;
  dns = await startDnsmasq(
    DOMAIN,
    Object.fromEntries(
      requiredDnsNames({
        domain: DOMAIN,
        wire: { calling: { sft: { enabled: true } }, federation: { enabled: false } },
      } as never).map((name) => [name.name, '203.0.113.80']),
    ),
  );
  const start = performance.now();
  first = await runWireCli(
    workspace,
    ['apply', '--only', STAGES.join(','), ...ALLOW, '--dns-server', dns.server, '--json'],
    FIRST_RUN_TIMEOUT_MS,
  );
  firstMs = Math.round(performance.now() - start);
}, 600_000);

afterAll(async () => {
  process.env.PATH = savedPath;
  dns?.stop();
  await resetAll();
}, 180_000);

describe('the whole host side on the lab', () => {
  it('runs every host-side step of the plan on its hosts, and each ends in its health check', async () => {
    expect(first.exitCode, `${first.stderr}\n${first.stdout.slice(-4000)}`).toBe(0);
    console.log(`first apply of the host-side stages on 5 hosts: ${firstMs} ms`);
    const ran = new Set(started(first.events).map((e) => e.step));
    for (const step of [
      'preflight.bundle',
      'preflight.dns',
      'preflight.host-facts',
      'assets.unpack-bundle',
      'assets.serve',
      'bootstrap-host.apt-sources',
      'kubernetes.seed-images',
      'kubernetes.init-control-plane',
      'kubernetes.join-control-planes',
      'kubernetes.join-workers',
      'kubernetes.nodes-ready',
      'databases.cassandra-health',
      'databases.elasticsearch-health',
      'databases.minio-health',
      'databases.postgresql-health',
      'databases.rabbitmq-health',
    ])
      expect(ran, step).toContain(step);
    expect(finished(first.events).filter((e) => e.status === 'failed')).toEqual([]);
    expect(await onHost(ASSET_HOST, 'systemctl is-active serve-assets')).toBe('active\n');
    // The real databases answer: a streaming standby and a three-node RabbitMQ cluster.
    const replication = await onHost(
      HOSTS[0],
      'su postgres -c "psql -tA -c \\"select count(*) from pg_stat_replication where state = \'streaming\'\\""',
    );
    expect(replication.trim()).toBe('2');
    const rabbit = JSON.parse(
      await onHost(HOSTS[1], 'rabbitmqctl cluster_status --formatter json 2>/dev/null'),
    ) as {
      running_nodes: string[];
    };
    expect(rabbit.running_nodes).toHaveLength(3);
  });

  it('changes nothing on a second apply; the checks run again', async () => {
    const run = await runWireCli(workspace, [
      'apply',
      '--only',
      STAGES.join(','),
      ...ALLOW,
      '--dns-server',
      dns.server,
      '--json',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const steps = finished(run.events);
    expect(steps.filter((e) => e.status === 'changed' || e.status === 'failed')).toEqual([]);
    expect(new Set(started(run.events).map((e) => e.step))).toContain('databases.cassandra-health');
  }, 300_000);
});
