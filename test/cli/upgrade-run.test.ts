import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureSecretsFile } from '../../src/secrets/file.js';
import { releaseRecordPaths, writeReleaseRecord } from '../../src/workloads/helm/release-record.js';
import { standInBundle } from '../support/bundle.js';
import { productionInput } from '../support/inventories.js';
import { type StandInHelm, standInHelm } from '../support/stand-in-helm.js';
import { kube, standInKubectlReplay } from '../support/stand-in-kubectl-replay.js';
import { runCli } from './run-cli.js';

/**
 * `wire-install upgrade` through the built CLI, its chart stage only (`--only upgrade-charts`:
 * admin-host steps, no host contacted), with the STAND-IN helm and kubectl first on PATH. The
 * installation was applied at 5.28.0 (apply's release records, and the stand-in's releases at
 * distinct revisions); the new bundle is a complete stand-in bundle with 5.32.0 charts. What
 * the runner adds to the chart stage is under test: the version plan before it, the rollback
 * after a failed run, the upgrade's record, and the resume.
 */

const RELEASES = [
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
const revisionBefore = (release: string) => 2 + RELEASES.indexOf(release);

interface Rollback {
  type: 'upgrade-rollback';
  rolledBack: { release: string; revision: number }[];
  cannotRollBack: string[];
}

let dir: string;
let bundle: string;
let helm: StandInHelm;
let env: Record<string, string>;

const upgrade = async (args: string[]) => {
  const result = await runCli(['upgrade', '-i', 'inventory.yaml', '--bundle', bundle, ...args], {
    cwd: dir,
    env,
  });
  const records = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...result, records };
};
const record = () => JSON.parse(readFileSync(join(dir, '.wire-install', 'upgrades', 'current.json'), 'utf8'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wil-upgrade-run-'));
  const input = productionInput();
  input.hosts = input.hosts.map((host) => {
    const { externalIp: _ip, ...rest } = host;
    return { ...rest, roles: rest.roles.filter((role) => role !== 'sftd' && role !== 'coturn') };
  });
  input.wire = { smtp: { mode: 'demo' }, calling: { sft: { enabled: false }, coturn: { enabled: false } } };
  input.bundle = { path: 'bundle-old' };
  writeFileSync(join(dir, 'inventory.yaml'), yaml.dump(input));
  await ensureSecretsFile(join(dir, 'secrets.yaml'));
  mkdirSync(join(dir, '.wire-install'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, '.wire-install', 'admin.conf'), 'server: https://127.0.0.1:6443\n', {
    mode: 0o600,
  });
  bundle = standInBundle();
  for (const chart of RELEASES) {
    mkdirSync(join(bundle, 'charts', chart), { recursive: true });
    writeFileSync(join(bundle, 'charts', chart, 'Chart.yaml'), `name: ${chart}\nversion: 5.32.0\n`);
  }
  for (const release of RELEASES)
    await writeReleaseRecord(
      releaseRecordPaths(dir, release),
      {
        release,
        chart: release,
        namespace: release === 'cert-manager' ? 'cert-manager-ns' : 'default',
        chartVersion: '5.28.0',
        valuesSha256: 'old',
        secretsSha256: undefined,
        appliedAt: '2026-01-01T00:00:00.000Z',
      },
      'standIn: 1\n',
    );
  helm = standInHelm(join(dir, 'helm-stand-in'));
  helm.installed(
    Object.fromEntries(
      RELEASES.map((release) => [release, { revision: revisionBefore(release), chart: `${release}-5.28.0` }]),
    ),
  );
  const kubectl = standInKubectlReplay(join(dir, 'kubectl-stand-in'), [
    { match: 'get jobs', responses: [kube.list([])] },
    { match: 'get pods', responses: [kube.list([])] },
  ]);
  env = { PATH: `${helm.bin}:${kubectl.bin}:${process.env.PATH}` };
});

describe('wire-install upgrade (chart stage, stand-in helm)', () => {
  it('a failed run rolls back the releases it upgraded, newest first, and records the upgrade as rolled back', async () => {
    helm.answer({
      'wire-server': { exitCode: 1, stderr: 'Error: UPGRADE FAILED: context deadline exceeded\n' },
    });
    const failed = await upgrade(['--only', 'upgrade-charts', '--confirm-actions', '--json']);
    expect(failed.exitCode, failed.stderr).toBe(1);
    const upgraded = RELEASES.slice(0, RELEASES.indexOf('wire-server') + 1);
    expect(helm.releases()).toEqual(upgraded);
    const rollback = failed.records.find((entry) => entry.type === 'upgrade-rollback') as
      | Rollback
      | undefined;
    expect(rollback?.rolledBack.map((entry) => `${entry.release}@${entry.revision}`)).toEqual(
      [...upgraded].reverse().map((release) => `${release}@${revisionBefore(release)}`),
    );
    expect(rollback?.cannotRollBack.join('\n')).toMatch(/forward-only/);
    expect(record()).toMatchObject({ from: '5.28.0', to: '5.32.0', status: 'rolled-back' });
    expect(record().id).toMatch(/^5\.28\.0-to-5\.32\.0-/);
  });

  it('the same upgrade again resumes under the same id and upgrades every release; limited by --only, it stays under way', async () => {
    const id = record().id;
    helm.answer({});
    const before = helm.releases().length;
    const resumed = await upgrade(['--only', 'upgrade-charts', '--confirm-actions']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(helm.releases().slice(before)).toEqual(RELEASES);
    // Only the chart stage ran (no host here): the upgrade is not done until every stage is.
    expect(record()).toMatchObject({ id, status: 'running' });
    expect(resumed.stdout).toContain(`upgrade ${id}: the selected steps are done`);
  });

  it('run again, the charts are current: no helm upgrade, the same upgrade id', async () => {
    const id = record().id;
    const upgrades = helm.releases().length;
    // --only keeps this test on the admin host: the inventory's hosts are the example's, never contacted.
    const again = await upgrade(['--only', 'upgrade-charts', '--confirm-actions']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(helm.releases().length).toBe(upgrades);
    expect(record()).toMatchObject({ id, status: 'running' });
    expect(existsSync(join(dir, '.wire-install', 'upgrades', 'current.json'))).toBe(true);
  });

  it('a failure after the charts (a migration job missing) rolls nothing back: the run stops with advice', async () => {
    const rollbacks = () => helm.calls().filter((call) => call.argv[0] === 'rollback').length;
    const before = rollbacks();
    const upgrades = helm.releases().length;
    // The stand-in kubectl lists no jobs: every migrations.* confirmation fails.
    const run = await upgrade([
      '--only',
      'upgrade-charts,upgrade-migrations',
      '--force',
      'upgrade-charts',
      '--confirm-actions',
    ]);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(helm.releases().length - upgrades).toBe(RELEASES.length);
    expect(rollbacks()).toBe(before);
    expect(run.stderr).toMatch(
      /the charts are upgraded; migrations\.[a-z-]+.* failed after them, so nothing was rolled back/,
    );
    expect(record()).toMatchObject({ status: 'failed' });
  }, 60_000);

  it('--plan --offline asks nothing of the cluster (no helm call), though the admin kubeconfig exists', async () => {
    const calls = helm.calls().length;
    const plan = await upgrade(['--plan', '--offline']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(helm.calls().length).toBe(calls);
  });
});
