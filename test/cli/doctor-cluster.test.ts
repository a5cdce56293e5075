import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSecretsFile } from '../../src/secrets/file.js';
import { MIGRATION_JOBS } from '../../src/wire/migration-jobs.js';
import { productionInput } from '../support/inventories.js';
import { kube, type ReplayRule, standInKubectlReplay } from '../support/stand-in-kubectl-replay.js';
import { createTestPki } from '../support/test-pki.js';
import { runCli } from './run-cli.js';

/**
 * `doctor --only cluster --json` through the built CLI, with the STAND-IN kubectl that replays
 * canned answers (test/support/stand-in-kubectl-replay.ts) first on PATH: no cluster and no SSH
 * host is contacted (the inventory's addresses are the example's; coturn is off, so nothing
 * probes them). The workspace has the admin kubeconfig (0600) and a state file recording the
 * stages as applied; /status is answered by a real HTTPS server on 127.0.0.1 with a certificate
 * of the test PKI, reached through WIRE_INSTALL_INGRESS as the verify stage would.
 */

interface Result {
  check: string;
  status: string;
  host?: string;
  summary: string;
  evidence: string[];
  fix?: string;
}

const APPLIED = ['kubernetes.admin-kubeconfig', 'workloads.wire-server'];
const NODES = ['kubenode1', 'kubenode2', 'kubenode3'];

let server: Server;
let ingress = '';
let statusCode = 200;

beforeAll(async () => {
  const pki = createTestPki(mkdtempSync(join(tmpdir(), 'wil-doctor-pki-')));
  const leaf = pki.leaf('nginz', { names: ['nginz-https.wire.example.com'] });
  server = createServer(
    { cert: readFileSync(leaf.chain), key: readFileSync(leaf.key) },
    (request, response) => {
      response.writeHead(request.url === '/status' ? statusCode : 404, { Server: 'nginx' });
      response.end();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ingress = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const node = (name: string, ready: boolean) => ({
  metadata: { name },
  status: {
    conditions: [
      {
        type: 'Ready',
        status: ready ? 'True' : 'False',
        reason: ready ? 'KubeletReady' : 'KubeletNotReady',
        message: ready
          ? 'kubelet is posting ready status'
          : 'container runtime network not ready: cni plugin not initialized',
      },
    ],
  },
});
const running = (name: string) => ({
  metadata: { name, namespace: 'default' },
  status: {
    phase: 'Running',
    containerStatuses: [{ name: name.split('-')[0], ready: true, state: { running: {} } }],
  },
});
const crashLooping = (name: string) => ({
  metadata: { name, namespace: 'default' },
  status: {
    phase: 'Running',
    containerStatuses: [{ name: 'nginz', ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
  },
});
const allJobs = (state: (job: string) => 'complete' | 'failed') =>
  kube.list(MIGRATION_JOBS.map(({ job }) => kube.job(job, state(job))));

interface Cluster {
  nodes?: object[];
  pods?: object[];
  jobs?: { stdout: string };
  extra?: ReplayRule[];
}

/** The rules of a healthy cluster, with the parts a test changes. */
function script(cluster: Cluster = {}): ReplayRule[] {
  return [
    ...(cluster.extra ?? []),
    { match: 'get nodes', responses: [kube.list(cluster.nodes ?? NODES.map((name) => node(name, true)))] },
    {
      match: 'get pods -A',
      responses: [kube.list(cluster.pods ?? ['brig-7d9c-abcde', 'nginz-6d8f-fghij'].map(running))],
    },
    { match: 'get jobs', responses: [cluster.jobs ?? allJobs(() => 'complete')] },
  ];
}

async function doctor(cluster: Cluster = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wil-doctor-cluster-'));
  const input = productionInput();
  input.hosts = input.hosts.map((host) => {
    const { externalIp: _ip, ...rest } = host;
    return { ...rest, roles: rest.roles.filter((role) => role !== 'sftd' && role !== 'coturn') };
  });
  input.wire = { calling: { sft: { enabled: false }, coturn: { enabled: false } } };
  writeFileSync(join(dir, 'inventory.yaml'), yaml.dump(input));
  await ensureSecretsFile(join(dir, 'secrets.yaml'));
  mkdirSync(join(dir, '.wire-install'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, '.wire-install', 'admin.conf'), 'server: https://127.0.0.1:6443\n', {
    mode: 0o600,
  });
  const record = { status: 'succeeded', fingerprint: 'f', finishedAt: new Date().toISOString(), runId: 'r1' };
  writeFileSync(
    join(dir, '.wire-install', 'state.json'),
    JSON.stringify({
      version: 1,
      steps: Object.fromEntries(APPLIED.map((step) => [step, { 'admin host': record }])),
    }),
  );
  const kubectl = standInKubectlReplay(join(dir, 'kubectl-stand-in'), script(cluster));
  const result = await runCli(['doctor', '-i', 'inventory.yaml', '--only', 'cluster', '--json'], {
    cwd: dir,
    env: { PATH: `${kubectl.bin}:${process.env.PATH}`, WIRE_INSTALL_INGRESS: ingress },
  });
  const report = JSON.parse(result.stdout) as { results: Result[] };
  return { ...result, results: report.results, calls: kubectl.calls() };
}

const of = (results: Result[], check: string) => results.filter((r) => r.check === check);

describe('doctor --only cluster (stand-in kubectl)', () => {
  it('passes a healthy cluster: nodes Ready, pods Running, jobs Complete, /status 200 (exit 0)', async () => {
    const run = await doctor();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(of(run.results, 'cluster.nodes').map((r) => [r.host, r.status])).toEqual(
      NODES.map((name) => [name, 'pass']),
    );
    expect(of(run.results, 'cluster.pods').map((r) => r.status)).toEqual(['pass']);
    expect(of(run.results, 'cluster.jobs').map((r) => r.status)).toEqual(MIGRATION_JOBS.map(() => 'pass'));
    expect(of(run.results, 'cluster.coturn')).toMatchObject([
      { status: 'skip', summary: 'coturn is not enabled (wire.calling.coturn.enabled)' },
    ]);
    expect(of(run.results, 'cluster.api-status')).toMatchObject([
      {
        status: 'pass',
        evidence: [expect.stringContaining(`via ${ingress} (WIRE_INSTALL_INGRESS): HTTP 200`)],
      },
    ]);
    // Only reads: get and logs, never a change (and `version --client`, which asks no cluster:
    // which kubectl to use is decided before the checks).
    const clusterCalls = run.calls.filter((args) => !(args[0] === 'version' && args[1] === '--client'));
    expect(clusterCalls.length).toBeGreaterThan(0);
    expect(clusterCalls.every((args) => ['get', 'logs'].some((verb) => args.includes(verb)))).toBe(true);
  }, 30_000);

  it('gives a crash-looping nginz with "failed to load keystore" in its log the zauth hint (exit 3)', async () => {
    const run = await doctor({
      pods: [running('brig-7d9c-abcde'), crashLooping('nginz-6d8f-fghij')],
      extra: [
        {
          match: 'logs nginz-6d8f-fghij',
          responses: [
            {
              stdout:
                'connecting with AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n2026/11/23 15:00:01 [emerg] 1#1: failed to load keystore /etc/wire/nginz/secrets/zauth.conf\n',
            },
          ],
        },
      ],
    });
    expect(run.exitCode).toBe(3);
    const [pod] = of(run.results, 'cluster.pods');
    expect(pod).toMatchObject({
      status: 'fail',
      summary: 'pod default/nginz-6d8f-fghij is CrashLoopBackOff',
    });
    expect(pod?.fix).toContain('nginz.secrets.zAuth.publicKeys missing');
    expect(pod?.evidence).toContain(
      '| 2026/11/23 15:00:01 [emerg] 1#1: failed to load keystore /etc/wire/nginz/secrets/zauth.conf',
    );
    expect(run.calls).toContainEqual(expect.arrayContaining(['logs', 'nginz-6d8f-fghij', '--previous']));
    // A credential in a log tail (not one of secrets.yaml's) is hidden by its shape.
    expect(JSON.stringify(run.results)).not.toContain('wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY');
    expect(pod?.evidence.join('\n')).toContain('AWS_SECRET_ACCESS_KEY=[redacted]');
  }, 30_000);

  it('fails a NotReady node naming it, with its Ready condition as evidence', async () => {
    const run = await doctor({
      nodes: [node('kubenode1', true), node('kubenode2', false), node('kubenode3', true)],
    });
    expect(run.exitCode).toBe(3);
    expect(of(run.results, 'cluster.nodes').filter((r) => r.status === 'fail')).toMatchObject([
      {
        host: 'kubenode2',
        summary: 'kubenode2 is registered but not Ready',
        evidence: [
          'Ready=False (KubeletNotReady: container runtime network not ready: cni plugin not initialized)',
        ],
      },
    ]);
  }, 30_000);

  it('fails a failed migrations job naming its failed container and showing its log tail', async () => {
    const run = await doctor({
      jobs: allJobs((job) => (job === 'cassandra-migrations' ? 'failed' : 'complete')),
      extra: [
        {
          match: 'get pods -l job-name=cassandra-migrations',
          responses: [
            kube.list([
              kube.pod(
                'cassandra-migrations',
                ['gundeck-schema=done', 'brig-schema=failed'],
                ['job-done=pending'],
              ),
            ]),
          ],
        },
        {
          match: 'logs cassandra-migrations-x7k2p -c brig-schema',
          responses: [
            { stdout: 'brig-schema: connecting to cassandra-external:9042\ncql-io: response timeout\n' },
          ],
        },
      ],
    });
    expect(run.exitCode).toBe(3);
    const failed = of(run.results, 'cluster.jobs').filter((r) => r.status === 'fail');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.summary).toBe(
      'migration job cassandra-migrations in container brig-schema, exit code 1, Error',
    );
    expect(failed[0]?.evidence).toContain('| cql-io: response timeout');
    expect(failed[0]?.fix).toContain('apply --only migrations.cassandra-migrations');
  }, 30_000);

  it('fails /status when the ingress answers 503, with the nginz hint', async () => {
    statusCode = 503;
    try {
      const run = await doctor();
      expect(run.exitCode).toBe(3);
      expect(of(run.results, 'cluster.api-status')).toMatchObject([
        {
          status: 'fail',
          summary: 'https://nginz-https.wire.example.com/status answered HTTP 503',
          fix: expect.stringContaining('kubectl get pods -l app=nginz'),
        },
      ]);
    } finally {
      statusCode = 200;
    }
  }, 30_000);
});
