import { generateKeyPairSync } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SupportBundleSummary, writeSupportBundle } from '../../src/doctor/support-bundle.js';
import type { DoctorContext, DoctorReport } from '../../src/doctor/types.js';
import { gatherFacts, type HostFacts } from '../../src/hosts/facts.js';
import { localHost } from '../../src/hosts/local-host.js';
import type { RemoteHost } from '../../src/hosts/types.js';
import { loadInventoryFile } from '../../src/inventory/load.js';
import type { WireSecrets } from '../../src/secrets/generate.js';
import { secretValues } from '../../src/secrets/redact.js';
import { kube, standInKubectlReplay } from '../support/stand-in-kubectl-replay.js';
import { type LabWorkspace, labWorkspace } from './lab-cli.js';
import { connectLabHost, labHosts } from './lab-hosts.js';
import { onHost, withSecrets } from './wire-lab.js';

/**
 * `doctor --support-bundle` on the lab's hosts: secrets.yaml's values and other keys are planted
 * where the bundle collects from (a real journal of a unit the bundle reads, a debug log in
 * .wire-install/logs, and pod logs and descriptions from a STAND-IN kubectl: there is no
 * Kubernetes API here), the bundle is written, unpacked with tar, and EVERY file searched.
 */

const HOSTS = labHosts().slice(0, 5);
/** A kube-worker of the lab inventory: never runs serve-assets, so its journal holds only what this test planted. */
const LEAK_HOST = HOSTS[3];
const LEAK_FILE = '/run/wil-support-bundle-leak';
const UNIT = 'serve-assets';

const pemKey = () =>
  generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
/** Not in secrets.yaml: the key-like patterns must catch these. */
const PLANTED = {
  journalKey: pemKey(),
  logKey: pemKey(),
  logPassword: 'planted-Password-0042',
  podToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXBsYW50ZWQ',
  kubeconfigKey: 'LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUZha2U=',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTED042',
};

let workspace: LabWorkspace;
let secrets: WireSecrets;
let hosts: RemoteHost[] = [];
let context: DoctorContext;
let unpacked: string;
let summary: SupportBundleSummary;
let bundleFile: string;
let files: Map<string, string>;

const stateDir = () => join(workspace.dir, '.wire-install');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** .wire-install/ as apply leaves it, with secrets in the places that must never be carried. */
function plantLocalFiles(): void {
  const dir = stateDir();
  for (const sub of ['releases', 'values', 'certificates', 'logs'])
    mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 1, steps: {} }));
  writeFileSync(join(dir, 'releases', 'wire-server.json'), JSON.stringify({ release: 'wire-server' }));
  writeFileSync(join(dir, 'values', 'wire-server.yaml'), 'brig:\n  replicaCount: 3\n');
  writeFileSync(
    join(dir, 'certificates', 'ca.crt'),
    '-----BEGIN CERTIFICATE-----\nMIIBCA\n-----END CERTIFICATE-----\n',
  );
  // Self-signed mode: these keys are redaction values (certificateKeyTexts) and never carried.
  writeFileSync(join(dir, 'certificates', 'wire.key'), pemKey(), { mode: 0o600 });
  writeFileSync(join(dir, 'certificates', 'ca.key'), pemKey(), { mode: 0o600 });
  writeFileSync(
    join(dir, 'admin.conf'),
    `apiVersion: v1\nusers:\n- name: kubernetes-admin\n  user:\n    client-key-data: ${PLANTED.kubeconfigKey}\n`,
    { mode: 0o600 },
  );
  // Eleven debug logs: the oldest is left out (the newest ten are carried).
  for (let index = 0; index < 11; index += 1) {
    const path = join(dir, 'logs', `apply-run${String(index).padStart(2, '0')}.log`);
    writeFileSync(path, `run ${index}\n`);
    const time = new Date(Date.now() - (20 - index) * 60_000);
    utimesSync(path, time, time);
  }
  writeFileSync(
    join(dir, 'logs', 'apply-run10.log'),
    [
      `helm echoed: rabbitmq password ${secrets.rabbitmq.password}`,
      `zauth ${JSON.stringify(secrets.zauth)}`,
      `PGPASSWORD=${PLANTED.logPassword} psql`,
      `an mls key as JSON: ${JSON.stringify(secrets.mlsRemovalKeys.ed25519)}`,
      `a key: ${PLANTED.logKey}`,
      `aws_secret_access_key ${PLANTED.awsSecret}`,
      '',
    ].join('\n'),
  );
}

/** A line in the real journal of `serve-assets` on a lab host; the text travels on stdin, never argv. */
async function plantJournal(): Promise<void> {
  const loaded = await onHost(LEAK_HOST, `systemctl list-units --all --no-legend ${UNIT}.service`);
  if (loaded.trim() !== '')
    throw new Error(`${LEAK_HOST?.name} runs ${UNIT}: the test needs a host without it`);
  const leak = [
    `starting with ${secrets.minio.rootPassword}`,
    `token: ${secrets.turnSecret}`,
    PLANTED.journalKey,
  ].join('\n');
  await onHost(LEAK_HOST, `umask 077 && cat > ${LEAK_FILE}`, leak);
  try {
    await onHost(LEAK_HOST, `systemd-run --unit=${UNIT} --wait --collect --quiet /bin/cat ${LEAK_FILE}`);
  } finally {
    await onHost(LEAK_HOST, `rm -f ${LEAK_FILE}`);
  }
}

function standInCluster(dir: string) {
  const pod = (name: string, waiting?: string) => ({
    metadata: { name, namespace: 'default' },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'main',
          ready: !waiting,
          state: waiting ? { waiting: { reason: waiting } } : { running: {} },
        },
      ],
    },
  });
  return standInKubectlReplay(dir, [
    {
      match: 'get pods -A -o wide',
      responses: [{ stdout: 'NAMESPACE NAME READY STATUS\ndefault nginz-7f9 0/1 CrashLoopBackOff\n' }],
    },
    {
      match: 'get pods -A -o json',
      responses: [kube.list([pod('nginz-7f9', 'CrashLoopBackOff'), pod('brig-5c4')])],
    },
    {
      match: 'describe pods -n default',
      responses: [
        {
          stdout: `Name: brig-5c4\n    SecretName:  brig\n  Environment:\n    PG_PASSWORD: ${secrets.postgresql.password}\n`,
        },
      ],
    },
    {
      match: 'get events -A',
      responses: [{ stdout: 'default Warning BackOff pod/nginz-7f9 Back-off restarting\n' }],
    },
    {
      match: '--previous',
      responses: [{ stdout: `failed to load keystore\nAuthorization: Bearer ${PLANTED.podToken}\n` }],
    },
    { match: 'logs -n default nginz-7f9', responses: [{ stdout: `zauth key ${secrets.zauth.secretKey}\n` }] },
  ]);
}

beforeAll(async () => {
  workspace = labWorkspace(5);
  secrets = await withSecrets(workspace);
  plantLocalFiles();
  await plantJournal();
  hosts = await Promise.all(HOSTS.map((host) => connectLabHost(host)));
  const facts = new Map<string, HostFacts>();
  for (const host of hosts) facts.set(host.name, await gatherFacts(host));
  const kubectl = standInCluster(join(workspace.dir, 'stand-in-kubectl'));
  const loaded = await loadInventoryFile(workspace.inventory);
  context = {
    inventory: loaded.inventory,
    inventoryDir: workspace.dir,
    inventoryFile: workspace.inventory,
    secrets,
    secretsPath: join(workspace.dir, 'secrets.yaml'),
    dnsServer: undefined,
    bundleRoot: undefined,
    admin: localHost({ env: { ...process.env, PATH: `${kubectl.bin}:${process.env.PATH ?? ''}` } }),
    hosts: new Map(hosts.map((host) => [host.name, host])),
    facts,
    // An unreachable host gets a note in the bundle, not a failed bundle.
    unreachable: new Map([['ghost', 'connect ECONNREFUSED 127.0.0.1:1']]),
    newHostKeys: new Map(),
    preflight: { allowUnsupportedOs: true, allowUndersized: true },
    installed: { succeededSteps: new Set(), kubeconfig: join(stateDir(), 'admin.conf') },
    signal: new AbortController().signal,
    env: process.env,
  };
  const report: DoctorReport = {
    version: 1,
    inventory: workspace.inventory,
    domain: loaded.inventory.domain,
    startedAt: new Date().toISOString(),
    durationMs: 1,
    groups: ['hosts'],
    counts: { pass: 1, warn: 0, fail: 0, skip: 0 },
    results: [
      { check: 'hosts.reachable', group: 'hosts', status: 'pass', summary: 'reachable', evidence: [] },
    ],
  };
  mkdirSync(join(workspace.dir, 'out'));
  bundleFile = join(workspace.dir, 'out', 'support.tar.gz');
  summary = await writeSupportBundle(bundleFile, { context, report });
  unpacked = mkdtempSync(join(tmpdir(), 'wil-support-unpacked-'));
  await execa('tar', ['xzf', bundleFile, '-C', unpacked]);
  const [top] = readdirSync(unpacked);
  files = new Map(
    listFiles(join(unpacked, top ?? '')).map((path) => [
      relative(join(unpacked, top ?? ''), path),
      readFileSync(path, 'utf8'),
    ]),
  );
}, 120_000);

afterAll(() => {
  for (const host of hosts) host.close();
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
});

describe('doctor --support-bundle on the lab', () => {
  it('writes one .tar.gz with mode 0600, everything under one dated folder', () => {
    expect(statSync(bundleFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(unpacked)).toEqual([expect.stringMatching(/^wire-install-support-\d{8}-\d{6}$/)]);
    expect(summary).toMatchObject({
      file: bundleFile,
      entries: files.size,
      bytes: statSync(bundleFile).size,
    });
  });

  it('holds no value of secrets.yaml, no certificate key and no planted key, in any file', () => {
    const forbidden = [
      ...secretValues(secrets),
      ...['wire.key', 'ca.key'].map(
        (key) => readFileSync(join(stateDir(), 'certificates', key), 'utf8').split('\n')[1] ?? 'none',
      ),
      ...Object.values(PLANTED).map((value) => value.split('\n')[1] || value),
    ];
    expect(forbidden.length).toBeGreaterThan(15);
    for (const [name, text] of files)
      for (const value of forbidden) expect(text.includes(value), `${value} in ${name}`).toBe(false);
    expect(summary.redactions).toBeGreaterThanOrEqual(12);
  });

  it('says [redacted] where the secrets were: the host journal, the debug log, the pod logs and descriptions', () => {
    const journal = files.get(`hosts/${LEAK_HOST?.name}/journal-serve-assets.log`) ?? '';
    expect(journal).toContain('starting with [redacted]');
    expect(journal).toContain('token: [redacted]');
    expect(journal).toContain('-----BEGIN PRIVATE KEY-----');
    const log = files.get('wire-install/logs/apply-run10.log') ?? '';
    expect(log).toContain('rabbitmq password [redacted]');
    expect(log).toContain('PGPASSWORD=[redacted] psql');
    expect(files.get('cluster/pod-logs/default/nginz-7f9.log')).toContain('zauth key [redacted]');
    expect(files.get('cluster/pod-logs/default/nginz-7f9.previous.log')).toContain('Bearer [redacted]');
    expect(files.get('cluster/describe-pods-default.txt')).toContain('SecretName:  brig');
  });

  it('carries the report, each host’s facts, journals, failed units, disk and memory', () => {
    expect(JSON.parse(files.get('report.json') ?? '{}')).toMatchObject({
      version: 1,
      results: [{ check: 'hosts.reachable' }],
    });
    for (const host of HOSTS) {
      expect(JSON.parse(files.get(`facts/${host.name}.json`) ?? '{}')).toMatchObject({ hostname: host.name });
      expect(files.get(`hosts/${host.name}/df.txt`)).toMatch(/Filesystem\s+Size/);
      expect(files.get(`hosts/${host.name}/free.txt`)).toMatch(/Mem:/);
      expect(files.has(`hosts/${host.name}/systemctl-failed.txt`)).toBe(true);
      expect(files.has(`hosts/${host.name}/error.txt`)).toBe(false);
    }
    expect(files.get('hosts/ghost/error.txt')).toContain('ECONNREFUSED');
    expect(files.get('cluster/events.txt')).toContain('BackOff');
  });

  it('carries the state files that are not secret and the newest ten debug logs, never admin.conf, keys or secrets.yaml', () => {
    const names = [...files.keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        'inventory.yaml',
        'wire-install/state.json',
        'wire-install/releases/wire-server.json',
        'wire-install/values/wire-server.yaml',
        'wire-install/certificates/ca.crt',
      ]),
    );
    expect(names.filter((name) => name.startsWith('wire-install/logs/'))).toHaveLength(10);
    expect(names).not.toContain('wire-install/logs/apply-run00.log');
    expect(names.filter((name) => /admin\.conf|\.key$|secrets\.yaml/.test(name))).toEqual([]);
  });

  it('refuses a FILE it cannot write before collecting anything (bad input), and leaves no temp folder behind', async () => {
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('wire-install-support-'));
    await expect(
      writeSupportBundle(join(workspace.dir, 'missing', 'x.tar.gz'), { context, report: {} as DoctorReport }),
    ).rejects.toMatchObject({
      exitCode: 2,
      what: expect.stringContaining('does not exist'),
    });
    await expect(
      writeSupportBundle(join(workspace.dir, 'out'), { context, report: {} as DoctorReport }),
    ).rejects.toMatchObject({
      exitCode: 2,
      what: expect.stringContaining('is a folder'),
    });
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('wire-install-support-'))).toEqual(before);
    expect(readdirSync(join(workspace.dir, 'out'))).toEqual(['support.tar.gz']);
  });
});
