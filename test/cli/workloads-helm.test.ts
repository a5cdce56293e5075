import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureSecretsFile } from '../../src/secrets/file.js';
import type { WireSecrets } from '../../src/secrets/generate.js';
import { secretValues } from '../../src/secrets/redact.js';
import { productionInput } from '../support/inventories.js';
import { type StandInHelm, standInHelm } from '../support/stand-in-helm.js';
import { kube, type ReplayRule, standInKubectlReplay } from '../support/stand-in-kubectl-replay.js';
import { createTestPki, wireNames } from '../support/test-pki.js';
import { runCli } from './run-cli.js';

/**
 * The chart steps through the built CLI: `apply --only <chart steps> --json` on the admin host,
 * with the STAND-IN helm (test/support/stand-in-helm.ts) first on PATH: no cluster is
 * contacted. A production inventory with cert-manager and no calling, a stand-in bundle with
 * charts/<chart>/Chart.yaml and example values for every chart, secrets.yaml from init's
 * generator, and the admin kubeconfig 0600 where the kubernetes stage writes it.
 */

/** Wire's production order (docs/wire/charts-values-secrets.md#install-order, bin/helm-operations.sh); cert-manager before nginx-ingress-services. */
const ORDER = [
  'cassandra-external',
  'elasticsearch-external',
  'minio-external',
  'postgresql-external',
  'fake-aws',
  'smtp',
  'rabbitmq-external',
  'databases-ephemeral',
  'reaper',
  'wire-server',
  'webapp',
  'account-pages',
  'team-settings',
  'ingress-nginx-controller',
  'cert-manager',
  'nginx-ingress-services',
];
/** Distinct versions, so a plan line shows the one of its own chart. */
const version = (chart: string) => `5.32.${ORDER.indexOf(chart)}`;
/** The whole stage: workloads.values (the rules on the rendered values) first, then the charts. */
const ONLY = 'workloads';

interface Event {
  type: string;
  step?: string;
  status?: string;
  changes?: string[];
  error?: string;
  evidence?: string[];
  next?: string;
}

interface Installation {
  dir: string;
  helm: StandInHelm;
  secrets: string[];
  /** wire-install apply -i inventory.yaml --json <args> (`json: false`: the output for people). */
  run(args: string[], json?: boolean): Promise<{ exitCode: number; events: Event[]; text: string }>;
}

/** No migration job in the cluster: what the watcher beside wire-server's helm sees by default. */
const NO_JOBS: ReplayRule[] = [
  { match: 'get jobs', responses: [kube.list([])] },
  { match: 'get pods', responses: [kube.list([])] },
];

async function installation(
  kubectlScript: ReplayRule[] = NO_JOBS,
  edit?: (input: ReturnType<typeof productionInput>, dir: string) => void,
): Promise<Installation> {
  const dir = mkdtempSync(join(tmpdir(), 'wil-workloads-helm-'));
  const input = productionInput();
  input.hosts = input.hosts.map((host) => {
    const { externalIp: _ip, ...rest } = host;
    return { ...rest, roles: rest.roles.filter((role) => role !== 'sftd' && role !== 'coturn') };
  });
  input.wire = { smtp: { mode: 'demo' }, calling: { sft: { enabled: false }, coturn: { enabled: false } } };
  input.bundle = { path: 'bundle' };
  edit?.(input, dir);
  writeFileSync(join(dir, 'inventory.yaml'), yaml.dump(input));
  for (const chart of ORDER) {
    mkdirSync(join(dir, 'bundle', 'charts', chart), { recursive: true });
    mkdirSync(join(dir, 'bundle', 'values', chart), { recursive: true });
    writeFileSync(
      join(dir, 'bundle', 'charts', chart, 'Chart.yaml'),
      `name: ${chart}\nversion: ${version(chart)}\n`,
    );
    writeFileSync(
      join(dir, 'bundle', 'values', chart, 'prod-values.example.yaml'),
      'standIn:\n  example: 1\n',
    );
  }
  const { secrets } = await ensureSecretsFile(join(dir, 'secrets.yaml'));
  mkdirSync(join(dir, '.wire-install'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, '.wire-install', 'admin.conf'), 'server: https://127.0.0.1:6443\n', {
    mode: 0o600,
  });
  const helm = standInHelm(join(dir, 'helm-stand-in'));
  const kubectl = standInKubectlReplay(join(dir, 'kubectl-stand-in'), kubectlScript);
  return {
    dir,
    helm,
    secrets: secretValues(secrets as WireSecrets).filter((value) => value.length >= 8),
    async run(args, json = true) {
      const result = await runCli(['apply', '-i', 'inventory.yaml', ...(json ? ['--json'] : []), ...args], {
        cwd: dir,
        env: { PATH: `${helm.bin}:${kubectl.bin}:${process.env.PATH}` },
      });
      const events = result.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Event);
      return { exitCode: result.exitCode, events, text: `${result.stdout}\n${result.stderr}` };
    },
  };
}

/** The chart steps' results (workloads.values, a check on every apply, is left out). */
const finished = (events: Event[]) =>
  events.filter((event) => event.type === 'step-finished' && event.step !== 'workloads.values');
const statusOf = (events: Event[]) =>
  Object.fromEntries(finished(events).map((event) => [event.step?.replace('workloads.', ''), event.status]));
const debugLogs = (dir: string) =>
  readdirSync(join(dir, '.wire-install', 'logs')).map((name) =>
    readFileSync(join(dir, '.wire-install', 'logs', name), 'utf8'),
  );

describe('apply of the chart steps (stand-in helm)', () => {
  let wire: Installation;
  beforeAll(async () => {
    wire = await installation();
  });

  it('plans every chart in order with its version from the bundle', async () => {
    const plan = await wire.run(['--plan', '--only', ONLY]);
    expect(plan.exitCode, plan.text).toBe(0);
    expect(finished(plan.events).map((event) => [event.step, event.changes])).toEqual(
      ORDER.map((chart) => {
        const namespace = chart === 'cert-manager' ? 'cert-manager-ns' : 'default';
        return [
          `workloads.${chart}`,
          [`helm install ${chart} (chart ${chart} ${version(chart)}, namespace ${namespace})`],
        ];
      }),
    );
    // For people: the admin host's changes, one line per chart in order.
    const text = await wire.run(['--plan', '--only', ONLY], false);
    const lines = text.text.split('\n');
    const charts = lines
      .slice(lines.indexOf('admin host') + 1)
      .filter((line) => line.includes(': helm install'));
    expect(charts.map((line) => line.trim().split(':')[0])).toEqual(
      ORDER.map((chart) => `workloads.${chart}`),
    );
    expect(wire.helm.calls()).toEqual([]);
  });

  it('installs in order with the flags, each file 0600 in a private folder while helm ran and gone after', async () => {
    const run = await wire.run(['--only', ONLY, '--helm-timeout', '30m']);
    expect(run.exitCode, run.text).toBe(0);
    expect(wire.helm.releases()).toEqual(ORDER);
    const kubeconfig = join(wire.dir, '.wire-install', 'admin.conf');
    for (const call of wire.helm.calls()) {
      const [, , release, chartDir, ...flags] = call.argv;
      expect(chartDir).toBe(join(wire.dir, 'bundle', 'charts', release ?? ''));
      const namespace = release === 'cert-manager' ? 'cert-manager-ns' : 'default';
      expect(flags.slice(0, 8)).toEqual([
        '--namespace',
        namespace,
        '--create-namespace',
        '--wait',
        '--timeout',
        '30m',
        '--kubeconfig',
        kubeconfig,
      ]);
      // Only -f files after that: never --set.
      expect(
        flags
          .slice(8)
          .filter((_flag, index) => index % 2 === 0)
          .every((flag) => flag === '-f'),
      ).toBe(true);
      expect(call.files.length).toBeGreaterThan(0);
      for (const file of call.files) {
        expect(file).toMatchObject({ mode: 0o600, dirMode: 0o700 });
        expect(existsSync(file.path)).toBe(false);
      }
    }
    const argv = JSON.stringify(wire.helm.calls().map((call) => call.argv));
    // secrets.yaml reaches helm only inside the files: never on argv, in the output or the debug log.
    for (const secret of wire.secrets) {
      expect(argv).not.toContain(secret);
      expect(run.text).not.toContain(secret);
      for (const log of debugLogs(wire.dir)) expect(log).not.toContain(secret);
    }
    // The values file (the first -f) never holds a secret: secrets travel only in the second.
    const holdsSecret = (content = '') => wire.secrets.some((secret) => content.includes(secret));
    for (const call of wire.helm.calls()) {
      const [values, ...rest] = call.files;
      expect(rest.length).toBeLessThanOrEqual(1);
      expect(holdsSecret(values?.content), `${call.argv[2]} values`).toBe(false);
    }
    // wire-server's secrets (zauth keys, TURN secret, database passwords) come from secrets.yaml.
    const wireServer = wire.helm.calls().find((call) => call.argv[2] === 'wire-server');
    expect(holdsSecret(wireServer?.files[1]?.content)).toBe(true);
  });

  it('skips every release on a second apply, and re-runs only the release whose values changed', async () => {
    const before = wire.helm.releases().length;
    const again = await wire.run(['--only', ONLY]);
    expect(again.exitCode, again.text).toBe(0);
    expect(Object.values(statusOf(again.events))).toEqual(ORDER.map(() => 'current'));
    expect(wire.helm.releases().length).toBe(before);

    writeFileSync(
      join(wire.dir, 'bundle', 'values', 'webapp', 'prod-values.example.yaml'),
      'standIn:\n  example: 2\n',
    );
    const plan = await wire.run(['--plan', '--only', ONLY]);
    const planned = finished(plan.events).filter((event) => event.status === 'would-change');
    expect(planned.map((event) => [event.step, event.changes])).toEqual([
      [
        'workloads.webapp',
        [
          `helm upgrade webapp (chart webapp ${version('webapp')}, namespace default)`,
          'webapp values changed: standIn.example',
        ],
      ],
    ]);

    const rerun = await wire.run(['--only', ONLY]);
    expect(rerun.exitCode, rerun.text).toBe(0);
    expect(wire.helm.releases().slice(before)).toEqual(['webapp']);
    expect(statusOf(rerun.events).webapp).toBe('changed');
  });
});

describe('a failing release (stand-in helm)', () => {
  it("stops the run with the release, the exit code and helm's last lines; the next run resumes at it", async () => {
    const wire = await installation();
    wire.helm.answer({
      'wire-server': {
        exitCode: 1,
        stderr:
          'Deployment is not ready: default/brig. 0 out of 1 expected pods are ready\nError: UPGRADE FAILED: context deadline exceeded\n',
      },
    });
    const failed = await wire.run(['--only', ONLY]);
    expect(failed.exitCode, failed.text).toBe(1);
    expect(wire.helm.releases()).toEqual(ORDER.slice(0, ORDER.indexOf('wire-server') + 1));
    const failure = failed.events.find((event) => event.type === 'failure');
    expect(failure?.step).toBe('workloads.wire-server');
    expect(failure?.error).toBe('helm upgrade of release wire-server failed (exit code 1): --wait timed out');
    expect(failure?.evidence).toContain('| Error: UPGRADE FAILED: context deadline exceeded');
    expect(failure?.evidence).toContain('not ready when helm gave up: Deployment default/brig');

    wire.helm.answer({});
    const resumed = await wire.run(['--only', ONLY]);
    expect(resumed.exitCode, resumed.text).toBe(0);
    expect(wire.helm.releases()).toEqual([
      ...ORDER.slice(0, ORDER.indexOf('wire-server') + 1),
      ...ORDER.slice(ORDER.indexOf('wire-server')),
    ]);
    const status = statusOf(resumed.events);
    expect(status['cassandra-external']).toBe('current');
    expect(status['wire-server']).toBe('changed');
  });

  it("keeps a bring-your-own certificate's private key out of what a failure shows and logs", async () => {
    let keyFile = '';
    const wire = await installation(NO_JOBS, (input, dir) => {
      mkdirSync(join(dir, 'pki'));
      const leaf = createTestPki(join(dir, 'pki')).leaf('wire', { names: wireNames(input.domain) });
      keyFile = leaf.key;
      input.certificates = { mode: 'bring-your-own', certChain: leaf.chain, key: leaf.key };
    });
    const keyLines = readFileSync(keyFile, 'utf8')
      .split('\n')
      .filter((line) => line.length >= 16 && !line.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(0);
    // What helm prints when a values file does not parse: the offending line, here one of the key's.
    wire.helm.answer({
      'nginx-ingress-services': { exitCode: 1, stderr: `Error: YAML parse error near "${keyLines[0]}"\n` },
    });
    const failed = await wire.run(['--only', ONLY]);
    expect(failed.exitCode, failed.text).toBe(1);
    expect(failed.text).toContain('YAML parse error near \\"[redacted]');
    for (const text of [failed.text, ...debugLogs(wire.dir)])
      for (const line of keyLines) expect(text).not.toContain(line);
  });

  it('refuses a malformed WIRE_INSTALL_INGRESS as bad input before anything runs', async () => {
    const wire = await installation();
    const result = await runCli(['apply', '-i', 'inventory.yaml', '--only', 'verify.api-status'], {
      cwd: wire.dir,
      env: { PATH: `${wire.helm.bin}:${process.env.PATH}`, WIRE_INSTALL_INGRESS: 'nginz-https' },
    });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain('WIRE_INSTALL_INGRESS must be host:port');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(wire.helm.releases()).toEqual([]);
  });

  it('refuses a --helm-timeout that is not a duration as bad input', async () => {
    const wire = await installation();
    const run = await wire.run(['--only', ONLY, '--helm-timeout', 'ten minutes']);
    expect(run.exitCode).toBe(2);
    const error = run.events.find((event) => event.type === 'error');
    expect(error?.error).toBe(
      '--helm-timeout "ten minutes": must be a positive duration in hours, minutes and seconds',
    );
    expect(wire.helm.calls()).toEqual([]);
  });
});

describe("wire-server's migrations watched beside helm (stand-in helm and kubectl)", () => {
  it('names the failed init container and its log tail when helm fails on the hook', async () => {
    const schemas = [
      'gundeck-schema=done',
      'brig-schema=crashloop',
      'galley-schema=pending',
      'spar-schema=pending',
    ];
    const wire = await installation([
      { match: 'get jobs', responses: [kube.list([kube.job('cassandra-migrations', 'failed')])] },
      {
        match: 'get pods',
        responses: [kube.list([kube.pod('cassandra-migrations', schemas, ['job-done=pending'])])],
      },
      { match: 'logs', responses: [{ stdout: 'E, Cannot achieve consistency level ALL\n' }] },
    ]);
    wire.helm.answer({
      'wire-server': {
        exitCode: 1,
        stderr: 'Error: UPGRADE FAILED: pre-upgrade hooks failed: job failed: BackoffLimitExceeded\n',
      },
    });
    const failed = await wire.run(['--only', ONLY]);
    expect(failed.exitCode, failed.text).toBe(1);
    const failure = failed.events.find((event) => event.type === 'failure');
    expect(failure?.step).toBe('workloads.wire-server');
    expect(failure?.error).toContain('brig-schema');
    const evidence = (failure?.evidence ?? []).join('\n');
    expect(evidence).toContain('Cannot achieve consistency level ALL');
    expect(evidence).toContain('helm upgrade of release wire-server failed (exit code 1)');
    expect(evidence).toContain(
      '| Error: UPGRADE FAILED: pre-upgrade hooks failed: job failed: BackoffLimitExceeded',
    );
  });
});
