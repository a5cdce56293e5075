import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryOutput } from '../../../src/core/output.js';
import { applyRun } from '../../../src/engine/apply-run.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { ADMIN_HOST } from '../../../src/hosts/local-host.js';
import { type LoadedInventory, loadInventoryFile } from '../../../src/inventory/load.js';
import { ensureSecretsFile } from '../../../src/secrets/file.js';
import type { WireSecrets } from '../../../src/secrets/generate.js';
import { secretValues } from '../../../src/secrets/redact.js';
import { loadState } from '../../../src/state/store.js';
import { readRevisions, revisionsPath } from '../../../src/upgrade/charts/revisions.js';
import {
  ROLLED_BACK,
  type RollbackReport,
  rollbackUpgradedReleases,
} from '../../../src/upgrade/charts/rollback.js';
import { chartUpgradeStage } from '../../../src/upgrade/charts/stage.js';
import type { UpgradeTarget } from '../../../src/upgrade/types.js';
import {
  readReleaseRecord,
  releaseRecordPaths,
  writeReleaseRecord,
} from '../../../src/workloads/helm/release-record.js';
import { productionInput } from '../../support/inventories.js';
import { type StandInHelm, standInHelm } from '../../support/stand-in-helm.js';
import { kube, standInKubectlReplay } from '../../support/stand-in-kubectl-replay.js';

/**
 * The chart upgrades of `wire-install upgrade` run on apply's engine (applyRun) with the
 * STAND-IN helm and the STAND-IN kubectl (for the migrations watcher) first on PATH: no
 * cluster or host is contacted. A production inventory (cert-manager, the in-cluster smtp
 * relay, no calling), secrets.yaml from init's generator, the admin kubeconfig 0600, a new
 * bundle with 5.32.0 charts, and a cluster the stand-in says was installed at 5.28.0 with
 * distinct revisions per release (smtp is new in this upgrade: not installed before).
 */

/** Wire's upgrade order (docs/wire/upgrades.md#upgrade-the-charts-in-order), for this inventory's charts. */
const ORDER = [
  'cassandra-external',
  'elasticsearch-external',
  'minio-external',
  'postgresql-external',
  'rabbitmq-external',
  'fake-aws',
  'databases-ephemeral',
  'reaper',
  'smtp',
  'cert-manager',
  'nginx-ingress-services',
  'ingress-nginx-controller',
  'wire-server',
  'webapp',
  'team-settings',
  'account-pages',
];
const NOT_INSTALLED_BEFORE = 'smtp';
/** The revision the earlier install left each release at: distinct, so a wrong one shows. */
const revisionBefore = (release: string) => 3 + ORDER.indexOf(release) * 2;
const namespaceOf = (release: string) => (release === 'cert-manager' ? 'cert-manager-ns' : 'default');
const target: UpgradeTarget = { from: '5.28.0', to: '5.32.0', id: '5.28.0-to-5.32.0-20260101T120000' };

interface Run {
  exitCode: number;
  runId: string;
  events: EngineEvent[];
}

let dir: string;
let helm: StandInHelm;
let loaded: LoadedInventory;
let secrets: WireSecrets;
const savedPath = process.env.PATH;

async function run(mode: 'apply' | 'plan', stopAfter?: string): Promise<Run> {
  const events: EngineEvent[] = [];
  const controller = new AbortController();
  const stage = chartUpgradeStage(loaded.inventory, loaded.baseDir, {
    allowUnsupportedOs: false,
    allowUndersized: false,
    secrets,
    secretsPath: join(dir, 'secrets.yaml'),
    inventoryDir: loaded.baseDir,
    dnsServer: undefined,
    bundleRoot: join(dir, 'bundle-new'),
    helmTimeout: '20m',
    target,
  });
  const exitCode = await applyRun({
    mode,
    inventoryPath: loaded.file,
    inventory: loaded.inventory,
    secrets,
    stages: [stage],
    selection: {},
    concurrency: 4,
    uploadConcurrency: 2,
    inventoryInput: loaded.input,
    env: process.env,
    trustOnFirstUse: true,
    signal: controller.signal,
    output: createMemoryOutput({ json: true }),
    reporter: {
      emit: (event) => {
        events.push(event);
        // Ctrl-C right after this release: the engine starts nothing new.
        if (event.type === 'step-finished' && event.step === `upgrade.chart.${stopAfter}`) controller.abort();
      },
      close: async () => {},
    },
    commandLine: 'wire-install upgrade (test)',
  });
  const started = events.find((event) => event.type === 'run-started');
  return { exitCode, runId: started?.type === 'run-started' ? started.runId : '', events };
}

const statusOf = (events: EngineEvent[]) =>
  Object.fromEntries(
    events.flatMap((event) =>
      event.type === 'step-finished' ? [[event.step.replace('upgrade.chart.', ''), event.status]] : [],
    ),
  );
const rollbackCalls = () => helm.calls().filter((call) => call.argv[0] === 'rollback');
const upgradesSince = (count: number) => helm.releases().slice(count);
const chartNow = (release: string) => helm.history(release).at(-1)?.chart;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wil-upgrade-charts-'));
  const input = productionInput();
  input.hosts = input.hosts.map((host) => {
    const { externalIp: _ip, ...rest } = host;
    return { ...rest, roles: rest.roles.filter((role) => role !== 'sftd' && role !== 'coturn') };
  });
  input.wire = { smtp: { mode: 'demo' }, calling: { sft: { enabled: false }, coturn: { enabled: false } } };
  input.bundle = { path: 'bundle-old' };
  writeFileSync(join(dir, 'inventory.yaml'), yaml.dump(input));
  for (const chart of ORDER) {
    mkdirSync(join(dir, 'bundle-new', 'charts', chart), { recursive: true });
    mkdirSync(join(dir, 'bundle-new', 'values', chart), { recursive: true });
    writeFileSync(
      join(dir, 'bundle-new', 'charts', chart, 'Chart.yaml'),
      `name: ${chart}\nversion: 5.32.0\n`,
    );
    writeFileSync(
      join(dir, 'bundle-new', 'values', chart, 'prod-values.example.yaml'),
      'standIn:\n  example: 2\n',
    );
  }
  secrets = (await ensureSecretsFile(join(dir, 'secrets.yaml'))).secrets as WireSecrets;
  mkdirSync(join(dir, '.wire-install'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, '.wire-install', 'admin.conf'), 'server: https://127.0.0.1:6443\n', {
    mode: 0o600,
  });
  helm = standInHelm(join(dir, 'helm-stand-in'));
  const kubectl = standInKubectlReplay(join(dir, 'kubectl-stand-in'), [
    { match: 'get jobs', responses: [kube.list([])] },
    { match: 'get pods', responses: [kube.list([])] },
  ]);
  const before = ORDER.filter((release) => release !== NOT_INSTALLED_BEFORE);
  helm.installed(
    Object.fromEntries(
      before.map((release) => [release, { revision: revisionBefore(release), chart: `${release}-5.28.0` }]),
    ),
  );
  // What apply recorded when it installed 5.28.0: a rollback must bring these records back.
  for (const release of before)
    await writeReleaseRecord(
      releaseRecordPaths(dir, release),
      {
        release,
        chart: release,
        namespace: namespaceOf(release),
        chartVersion: '5.28.0',
        valuesSha256: 'old',
        secretsSha256: undefined,
        appliedAt: '2025-12-01T00:00:00.000Z',
      },
      'standIn:\n  example: 1\n',
    );
  process.env.PATH = `${helm.bin}:${kubectl.bin}:${savedPath}`;
  loaded = await loadInventoryFile(join(dir, 'inventory.yaml'));
});

afterAll(() => {
  process.env.PATH = savedPath;
});

describe('upgrade-charts on the engine (stand-in helm)', () => {
  let first: Run;
  let second: Run;
  let report: RollbackReport;
  const firstRun = ORDER.slice(0, ORDER.indexOf('reaper') + 1);
  const secondRun = ORDER.slice(ORDER.indexOf('smtp'), ORDER.indexOf('wire-server') + 1);

  it('plans every release in upgrade order without calling helm or recording anything', async () => {
    const plan = await run('plan');
    expect(plan.exitCode).toBe(0);
    const finished = plan.events.flatMap((event) => (event.type === 'step-finished' ? [event] : []));
    expect(finished.map((event) => event.step)).toEqual(ORDER.map((release) => `upgrade.chart.${release}`));
    expect(finished.every((event) => event.status === 'would-change')).toBe(true);
    const wireServer = finished.find((event) => event.step === 'upgrade.chart.wire-server');
    expect(wireServer?.changes).toContain('wire-server chart wire-server 5.28.0 -> wire-server 5.32.0');
    expect(helm.calls()).toEqual([]);
    expect(existsSync(revisionsPath(dir, target.id))).toBe(false);
  });

  it("upgrades in Wire's order, each release's revision read before its upgrade (a run stopped after reaper)", async () => {
    first = await run('apply', 'reaper');
    expect(first.exitCode).toBe(130);
    expect(helm.releases()).toEqual(firstRun);
    // Per release: helm status, then helm upgrade with the new bundle's chart.
    expect(
      helm
        .calls()
        .map((call) => `${call.argv[0]} ${call.argv[0] === 'upgrade' ? call.argv[2] : call.argv[1]}`),
    ).toEqual(firstRun.flatMap((release) => [`status ${release}`, `upgrade ${release}`]));
    const upgrade = helm.calls().find((call) => call.argv[0] === 'upgrade');
    expect(upgrade?.argv.slice(3, 10)).toEqual([
      join(dir, 'bundle-new', 'charts', 'cassandra-external'),
      '--namespace',
      'default',
      '--create-namespace',
      '--wait',
      '--timeout',
      '20m',
    ]);
    const recorded = (await readRevisions(revisionsPath(dir, target.id))).releases;
    expect(Object.keys(recorded)).toEqual(firstRun);
    for (const release of firstRun) expect(recorded[release]?.revision).toBe(revisionBefore(release));
    expect(recorded['databases-ephemeral']?.chart).toBe('databases-ephemeral-5.28.0');
  });

  it('fails at wire-server with its migrations watched; the releases current from the earlier run are not run again', async () => {
    helm.answer({
      'wire-server': {
        exitCode: 1,
        stderr: 'Error: UPGRADE FAILED: pre-upgrade hooks failed: job failed: BackoffLimitExceeded\n',
      },
    });
    const upgradesBefore = helm.releases().length;
    second = await run('apply');
    expect(second.exitCode).toBe(1);
    expect(upgradesSince(upgradesBefore)).toEqual(secondRun);
    const status = statusOf(second.events);
    for (const release of firstRun) expect(status[release], release).toBe('current');
    expect(status['wire-server']).toBe('failed');
    const failure = second.events.find((event) => event.type === 'failure');
    expect(failure?.type === 'failure' && failure.error).toContain(
      'helm upgrade of release wire-server failed',
    );
    // The migrations watcher ran beside wire-server's helm, as in apply.
    const kubectlCalls = readFileSync(join(dir, 'kubectl-stand-in', 'calls.jsonl'), 'utf8');
    expect(kubectlCalls).toContain('jobs');
    helm.answer({});
  });

  it("rolls back exactly this run's releases, newest first, to the recorded revisions, and says what cannot be", async () => {
    report = await rollbackUpgradedReleases({
      inventory: loaded.inventory,
      inventoryDir: loaded.baseDir,
      target,
      runId: second.runId,
      helmTimeout: '20m',
    });
    // smtp was not installed before: nothing to roll back to. wire-server's failed revision is rolled back.
    const rolledBack = [...secondRun].reverse().filter((release) => release !== NOT_INSTALLED_BEFORE);
    const kubeconfig = join(dir, '.wire-install', 'admin.conf');
    expect(rollbackCalls().map((call) => call.argv)).toEqual(
      rolledBack.map((release) => [
        'rollback',
        release,
        String(revisionBefore(release)),
        '--namespace',
        namespaceOf(release),
        '--wait',
        '--timeout',
        '20m',
        '--kubeconfig',
        kubeconfig,
      ]),
    );
    expect(report.rolledBack.map((entry) => entry.release)).toEqual(rolledBack);
    expect(report.failed).toEqual([]);
    expect(report.leftAsIs.map((entry) => entry.release)).toEqual([NOT_INSTALLED_BEFORE]);
    expect(report.leftAsIs[0]?.reason).toContain('was not installed before this upgrade');
    // The earlier run's releases stay at the new version, with the command to go back by hand.
    expect(report.fromEarlierRuns.map((entry) => entry.release)).toEqual([...firstRun].reverse());
    expect(report.fromEarlierRuns.find((entry) => entry.release === 'reaper')?.reason).toContain(
      `helm rollback reaper ${revisionBefore('reaper')} --namespace default`,
    );
    expect(report.cannotRollBack.join('\n')).toMatch(/Schema migrations cannot be rolled back.*forward-only/);
    expect(report.cannotRollBack.join('\n')).toContain('Cassandra snapshot');

    for (const release of rolledBack) expect(chartNow(release), release).toBe(`${release}-5.28.0`);
    for (const release of firstRun) expect(chartNow(release), release).toBe(`${release}-5.32.0`);
    // apply's records say what runs again; the checkpoints of the rolled-back steps are not current.
    expect((await readReleaseRecord(releaseRecordPaths(dir, 'wire-server')))?.chartVersion).toBe('5.28.0');
    expect((await readReleaseRecord(releaseRecordPaths(dir, 'reaper')))?.chartVersion).toBe('5.32.0');
    const state = await loadState(join(dir, '.wire-install'));
    for (const release of rolledBack) {
      const record = state.steps[`upgrade.chart.${release}`]?.[ADMIN_HOST];
      expect(record?.status, release).toBe('failed');
      expect(record?.error).toContain(`${ROLLED_BACK} ${revisionBefore(release)}`);
    }
    expect(state.steps['upgrade.chart.reaper']?.[ADMIN_HOST]?.status).toBe('succeeded');
  });

  it('does not roll back the same run twice', async () => {
    const calls = rollbackCalls().length;
    const again = await rollbackUpgradedReleases({
      inventory: loaded.inventory,
      inventoryDir: loaded.baseDir,
      target,
      runId: second.runId,
    });
    expect(again.rolledBack).toEqual([]);
    expect(rollbackCalls().length).toBe(calls);
  });

  it('a resumed upgrade skips the current releases and upgrades again from the first rolled-back one, keeping the first recorded revisions', async () => {
    const upgradesBefore = helm.releases().length;
    const rollbacksBefore = rollbackCalls().length;
    const resumed = await run('apply');
    expect(resumed.exitCode).toBe(0);
    // smtp was left installed at the new version (nothing to roll back to): it stays current too.
    const again = ORDER.slice(ORDER.indexOf('cert-manager'));
    expect(upgradesSince(upgradesBefore)).toEqual(again);
    const status = statusOf(resumed.events);
    for (const release of [...firstRun, NOT_INSTALLED_BEFORE])
      expect(status[release], release).toBe('current');
    for (const release of again) expect(status[release], release).toBe('changed');
    expect(rollbackCalls().length).toBe(rollbacksBefore);
    for (const release of ORDER) expect(chartNow(release), release).toBe(`${release}-5.32.0`);
    // The way back is still the revision from before the upgrade, not the one the failed attempt left.
    const recorded = (await readRevisions(revisionsPath(dir, target.id))).releases;
    expect(recorded['wire-server']?.revision).toBe(revisionBefore('wire-server'));
    expect(recorded[NOT_INSTALLED_BEFORE]?.revision).toBeNull();
    // secrets.yaml reached helm only in files: not on any command line (upgrade, status, rollback).
    const argv = JSON.stringify(helm.calls().map((call) => call.argv));
    const values = secretValues(secrets).filter((value) => value.length >= 8);
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(argv).not.toContain(value);
  });
});
