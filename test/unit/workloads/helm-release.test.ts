import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { isWireInstallError, WireInstallError } from '../../../src/core/errors.js';
import { localHost } from '../../../src/hosts/local-host.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import type { OperationContext } from '../../../src/operations/types.js';
import { sha256Text } from '../../../src/state/fingerprint.js';
import type { WireStep } from '../../../src/steps/define-step.js';
import { workloadSteps } from '../../../src/steps/workloads/index.js';
import { DEMO_CHARTS, PRODUCTION_CHARTS } from '../../../src/wire/charts.js';
import { chartVersion } from '../../../src/workloads/helm/chart-version.js';
import { notReadyResources } from '../../../src/workloads/helm/helm-failure.js';
import { type HelmRelease, helmReleaseOperation } from '../../../src/workloads/helm/release-operation.js';
import { readReleaseRecord, releaseRecordPaths } from '../../../src/workloads/helm/release-record.js';
import {
  DEFAULT_HELM_TIMEOUT,
  helmTimeoutMs,
  parseHelmTimeout,
} from '../../../src/workloads/helm/timeout.js';
import { changedValuePaths } from '../../../src/workloads/helm/values-diff.js';
import { watchWireServerMigrations } from '../../../src/workloads/helm/wire-server-migrations.js';
import { chartFiles } from '../../../src/workloads/values.js';
import { production } from '../../support/inventories.js';
import { type StandInHelm, standInHelm } from '../../support/stand-in-helm.js';
import { standInKubectlReplay } from '../../support/stand-in-kubectl-replay.js';
import { TEST_CERTIFICATE, testSecrets } from '../../support/test-secrets.js';

const SECRET = 'zauth-secret-Qx81vZ0pLmN4';
const wireServer = PRODUCTION_CHARTS.find((chart) => chart.release === 'wire-server');
if (!wireServer) throw new Error('wire-server is a production chart');

describe('which values changed since the last apply', () => {
  it('names the dotted paths of changed, added and removed values; a list is one value', () => {
    const before = 'brig:\n  replicaCount: 1\n  config: {a: 1, b: [1, 2]}\ntags: {proxy: false}\nold: x\n';
    const after =
      'brig:\n  replicaCount: 3\n  config: {a: 1, b: [1, 3]}\ntags: {proxy: false, legalhold: false}\n';
    expect(changedValuePaths(before, after)).toEqual([
      'brig.config.b',
      'brig.replicaCount',
      'old',
      'tags.legalhold',
    ]);
  });

  it('finds nothing when only formatting and key order differ', () => {
    expect(changedValuePaths('a: 1\nb: {c: 2}\n', 'b:\n  c: 2\na: 1 # same\n')).toEqual([]);
  });
});

describe('--helm-timeout', () => {
  it('takes helm durations and defaults to 15m', () => {
    expect(parseHelmTimeout(undefined)).toBe(DEFAULT_HELM_TIMEOUT);
    expect(parseHelmTimeout('1h30m')).toBe('1h30m');
    expect(parseHelmTimeout('900s')).toBe('900s');
    expect(helmTimeoutMs('1h30m')).toBe(90 * 60 * 1000);
  });

  it.each(['15', '0m', 'soon', '-5m', ''])('refuses %j as bad input (exit 2) naming the flag', (value) => {
    const error = (() => {
      try {
        parseHelmTimeout(value);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(isWireInstallError(error) && error.exitCode).toBe(2);
    expect((error as WireInstallError).what).toContain('--helm-timeout');
  });
});

describe('the chart steps', () => {
  it('give every chart step of both modes (and nothing else) a helm release', () => {
    const steps = workloadSteps.filter((step) => step.title.startsWith('Install chart ')) as WireStep[];
    const chartSteps = steps.map((step) => step.id).sort();
    const releases = new Set(
      [...PRODUCTION_CHARTS, ...DEMO_CHARTS].map((chart) => `workloads.${chart.release}`),
    );
    expect([...new Set(chartSteps)]).toEqual([...releases].sort());
    for (const step of steps) {
      expect(step.operations, step.id).toBeTypeOf('function');
      expect([...step.needs].sort(), step.id).toEqual(['bundle', 'secrets']);
    }
    expect(chartSteps).toContain('workloads.postgresql');
    expect(chartSteps).toContain('workloads.postgresql-external');
  });

  it("give helm the bring-your-own certificate, read relative to the inventory's folder", () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-chart-byo-'));
    mkdirSync(join(dir, 'tls'));
    writeFileSync(join(dir, 'tls/chain.pem'), TEST_CERTIFICATE.chain);
    writeFileSync(join(dir, 'tls/key.pem'), TEST_CERTIFICATE.key);
    const bundleRoot = mkdtempSync(join(tmpdir(), 'wil-chart-bundle-'));
    mkdirSync(join(bundleRoot, 'charts', 'nginx-ingress-services'), { recursive: true });
    writeFileSync(join(bundleRoot, 'charts', 'nginx-ingress-services', 'Chart.yaml'), 'version: 5.32.0\n');
    const inventory = production((input) => {
      input.certificates = { mode: 'bring-your-own', certChain: 'tls/chain.pem', key: 'tls/key.pem' };
    });
    const chart = PRODUCTION_CHARTS.find((candidate) => candidate.release === 'nginx-ingress-services');
    if (!chart) throw new Error('fixture');
    const secrets = testSecrets();
    const step = workloadSteps.find(
      (candidate) =>
        candidate.id === 'workloads.nginx-ingress-services' && candidate.modes.includes('production'),
    ) as WireStep | undefined;
    const [operation] =
      step?.operations(
        inventory,
        { name: 'admin host', facts: {} as never, allFacts: new Map() },
        {
          allowUnsupportedOs: false,
          allowUndersized: false,
          secrets,
          secretsPath: join(dir, 'secrets.yaml'),
          inventoryDir: dir,
          dnsServer: undefined,
          bundleRoot,
        },
      ) ?? [];
    const expected = chartFiles(inventory, secrets, bundleRoot, chart, { inventoryDir: dir }).secrets ?? '';
    expect(expected).toContain('tlsWildcardCert');
    expect(operation?.inputs).toMatchObject({ secrets: sha256Text(expected) });
  });
});

describe("the bundle's chart version", () => {
  it('is read from charts/<chart>/Chart.yaml, and a missing chart is named', () => {
    const bundle = mkdtempSync(join(tmpdir(), 'wil-helm-bundle-'));
    mkdirSync(join(bundle, 'charts', 'webapp'), { recursive: true });
    writeFileSync(join(bundle, 'charts', 'webapp', 'Chart.yaml'), 'name: webapp\nversion: 0.8.0-pre.2699\n');
    expect(chartVersion(bundle, 'webapp')).toBe('0.8.0-pre.2699');
    expect(() => chartVersion(bundle, 'sftd')).toThrow(
      /the bundle has no chart sftd: .*charts\/sftd\/Chart.yaml/,
    );
  });
});

describe("helm's not-ready lines", () => {
  it('lists the resources helm reported while waiting', () => {
    const output = [
      'ready.go:303: [debug] Deployment is not ready: default/brig. 0 out of 1 expected pods are ready',
      'ready.go:303: [debug] StatefulSet is not ready: default/redis-ephemeral. 0 out of 1 expected pods are ready',
      'ready.go:303: [debug] Deployment is not ready: default/brig. 0 out of 1 expected pods are ready',
      'Error: UPGRADE FAILED: context deadline exceeded',
    ].join('\n');
    expect(notReadyResources(output)).toEqual([
      'Deployment default/brig',
      'StatefulSet default/redis-ephemeral',
    ]);
  });
});

describe('one release through the stand-in helm', () => {
  let dir: string;
  let helm: StandInHelm;
  let host: RemoteHost;
  let context: OperationContext;
  let spec: HelmRelease;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wil-helm-release-'));
    helm = standInHelm(join(dir, 'helm-stand-in'));
    host = localHost({ env: { ...process.env, PATH: `${helm.bin}:${process.env.PATH}` } });
    context = { host, facts: {} as OperationContext['facts'], changedPaths: new Set() };
    const kubeconfig = join(dir, 'admin.conf');
    writeFileSync(kubeconfig, 'server: https://127.0.0.1:6443\n', { mode: 0o600 });
    spec = {
      chart: wireServer,
      bundleRoot: join(dir, 'bundle'),
      chartVersion: '5.32.0',
      files: { values: 'brig:\n  replicaCount: 1\n', secrets: `brig:\n  secrets:\n    zAuth: ${SECRET}\n` },
      kubeconfig,
      timeout: '20m',
      record: releaseRecordPaths(dir, 'wire-server'),
      secretValues: [SECRET],
    };
  });

  it('gives helm the files 0600 in a private folder, removes them, and records no secret', async () => {
    const operation = helmReleaseOperation(spec);
    expect((await operation.check(context)).changes).toEqual([
      'helm install wire-server (chart wire-server 5.32.0, namespace default)',
    ]);
    await operation.apply(context);

    const [call, ...more] = helm.calls();
    expect(more).toEqual([]);
    const [values, secrets] = call?.files ?? [];
    expect(call?.argv).toEqual([
      'upgrade',
      '--install',
      'wire-server',
      join(dir, 'bundle', 'charts', 'wire-server'),
      '--namespace',
      'default',
      '--create-namespace',
      '--wait',
      '--timeout',
      '20m',
      '--kubeconfig',
      spec.kubeconfig,
      '-f',
      values?.path,
      '-f',
      secrets?.path,
    ]);
    expect(values).toMatchObject({ content: spec.files.values, mode: 0o600, dirMode: 0o700 });
    expect(secrets).toMatchObject({ content: spec.files.secrets, mode: 0o600, dirMode: 0o700 });
    expect(call?.argv.join(' ')).not.toContain(SECRET);
    expect(existsSync(values?.path ?? '')).toBe(false);
    expect(existsSync(secrets?.path ?? '')).toBe(false);

    const record = readFileSync(spec.record.record, 'utf8') + readFileSync(spec.record.values, 'utf8');
    expect(record).not.toContain(SECRET);
    expect(await readReleaseRecord(spec.record)).toMatchObject({
      chartVersion: '5.32.0',
      values: spec.files.values,
    });
    expect((await operation.check(context)).changes).toEqual([]);
  });

  it('says which values, the chart version and the secrets changed since the last apply, never the secret', async () => {
    await helmReleaseOperation(spec).apply(context);
    const changed = helmReleaseOperation({
      ...spec,
      chartVersion: '5.33.0',
      files: { values: 'brig:\n  replicaCount: 3\n', secrets: 'brig:\n  secrets:\n    zAuth: other\n' },
    });
    const { changes } = await changed.check(context);
    expect(changes).toEqual([
      'helm upgrade wire-server (chart wire-server 5.33.0, namespace default)',
      'wire-server chart wire-server 5.32.0 -> wire-server 5.33.0',
      'wire-server values changed: brig.replicaCount',
      'wire-server secrets changed (not shown)',
    ]);
    expect(changed.inputs).not.toEqual(helmReleaseOperation(spec).inputs);
    expect(JSON.stringify(changed.inputs)).not.toContain(SECRET);
  });

  it('fails naming the release, the exit code, the not-ready resources and redacted last lines; records nothing', async () => {
    helm.answer({
      'wire-server': {
        exitCode: 1,
        stderr: [
          'Deployment is not ready: default/brig. 0 out of 1 expected pods are ready',
          `template echo: ${SECRET}`,
          'Error: UPGRADE FAILED: context deadline exceeded',
        ].join('\n'),
      },
    });
    const error = await helmReleaseOperation(spec)
      .apply(context)
      .catch((caught: unknown) => caught);
    expect(isWireInstallError(error)).toBe(true);
    const failure = error as WireInstallError;
    expect(failure.what).toBe('helm upgrade of release wire-server failed (exit code 1): --wait timed out');
    expect(failure.evidence).toContain('| Error: UPGRADE FAILED: context deadline exceeded');
    expect(failure.evidence).toContain('not ready when helm gave up: Deployment default/brig');
    expect(JSON.stringify(failure.evidence)).not.toContain(SECRET);
    expect(failure.next).toContain('resumes at wire-server');
    expect(existsSync(spec.record.record)).toBe(false);
    const [call] = helm.calls();
    for (const file of call?.files ?? []) expect(existsSync(file.path)).toBe(false);
  });

  it('runs `alongside` while helm runs, aborts it when helm ends, and prefers its error when helm failed', async () => {
    const seen: boolean[] = [];
    const watching: HelmRelease['alongside'] = async (_host, signal) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      seen.push(signal.aborted);
      throw new WireInstallError({
        what: 'migration job cassandra-migrations failed in init container brig-schema',
        evidence: ['| Cannot achieve consistency level ALL'],
        next: 'nodetool status on every Cassandra node',
      });
    };
    // Helm succeeded: the watcher's complaint after the abort does not fail the release.
    await helmReleaseOperation({ ...spec, alongside: watching }).apply(context);
    expect(seen).toEqual([true]);

    helm.answer({
      'wire-server': {
        exitCode: 1,
        stderr: 'Error: UPGRADE FAILED: pre-upgrade hooks failed: job failed: BackoffLimitExceeded',
      },
    });
    const error = (await helmReleaseOperation({ ...spec, alongside: watching })
      .apply(context)
      .catch((caught: unknown) => caught)) as WireInstallError;
    expect(error.what).toBe('migration job cassandra-migrations failed in init container brig-schema');
    expect(error.evidence).toContain('helm upgrade of release wire-server failed (exit code 1)');
    expect(error.evidence).toContain(
      '| Error: UPGRADE FAILED: pre-upgrade hooks failed: job failed: BackoffLimitExceeded',
    );
  });

  it('refuses to run without the admin kubeconfig, naming the step that writes it', async () => {
    const error = (await helmReleaseOperation({ ...spec, kubeconfig: join(dir, 'missing.conf') })
      .apply(context)
      .catch((caught: unknown) => caught)) as WireInstallError;
    expect(error.what).toContain('the admin kubeconfig');
    expect(error.next).toContain('kubernetes.admin-kubeconfig');
    expect(helm.calls()).toEqual([]);
  });
});

describe("the watcher beside wire-server's helm", () => {
  it("adds nothing when kubectl cannot answer: helm's own failure stands", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-helm-watch-'));
    const kubectl = standInKubectlReplay(dir, [
      { match: 'get', responses: [{ exit: 1, stderr: 'The connection to the server was refused' }] },
    ]);
    const host = localHost({ env: { ...process.env, PATH: `${kubectl.bin}:${process.env.PATH}` } });
    const watch = watchWireServerMigrations(wireServer, join(dir, 'admin.conf'));
    await expect(watch(host, new AbortController().signal)).resolves.toBeUndefined();
    expect(kubectl.calls()[0]).toEqual(['-n', 'default', 'get', 'jobs', '-o', 'json']);
  });
});
