import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { standInBundle } from '../support/bundle.js';
import { productionInput } from '../support/inventories.js';
import { runCli } from './run-cli.js';

/**
 * `upgrade --bundle DIR --plan` through the built CLI: an installation whose state records the
 * wire-server chart apply installed, and a new bundle folder with its wire-server Chart.yaml.
 * There is no kubeconfig in the workspace, so no cluster is asked and no host is contacted.
 */
function installation(options: { installed: string; target: string; federation: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), 'wil-upgrade-plan-'));
  const input = productionInput();
  input.wire = { federation: { enabled: options.federation } };
  writeFileSync(join(dir, 'inventory.yaml'), yaml.dump(input));
  mkdirSync(join(dir, '.wire-install', 'releases'), { recursive: true });
  writeFileSync(
    join(dir, '.wire-install', 'releases', 'wire-server.json'),
    JSON.stringify({
      release: 'wire-server',
      chart: 'wire-server',
      namespace: 'default',
      chartVersion: options.installed,
    }),
  );
  mkdirSync(join(dir, 'new-bundle', 'charts', 'wire-server'), { recursive: true });
  writeFileSync(
    join(dir, 'new-bundle', 'charts', 'wire-server', 'Chart.yaml'),
    `apiVersion: v2\nname: wire-server\nversion: ${options.target}\n`,
  );
  expect(existsSync(join(dir, '.wire-install', 'admin.conf'))).toBe(false);
  return {
    dir,
    run: async (args: string[]) => {
      const result = await runCli(['upgrade', '-i', 'inventory.yaml', '--bundle', 'new-bundle', ...args], {
        cwd: dir,
      });
      return { ...result, text: `${result.stdout}\n${result.stderr}` };
    },
  };
}

describe('upgrade --plan (the versions)', () => {
  it('5.28 -> 5.32 shows 5.29 skipped with its reason and the notes of 5.30 to 5.32, exit 0', async () => {
    const wire = installation({ installed: '5.28.0', target: '5.32.0', federation: false });
    const result = await wire.run(['--plan', '--offline']);
    expect(result.exitCode, result.text).toBe(0);
    expect(result.stdout).toContain('wire-server 5.28.0 -> 5.32.0 (federation off)');
    expect(result.stdout).toContain('skipped 5.29: Wire declared 5.29 broken');
    expect(result.stdout).toContain('automatic: tags.proxy must be set explicitly again');
    expect(result.stdout).toMatch(/action: if calling still uses restund, migrate to coturn/);
    expect(result.stdout).toContain('5.31: no upgrade notes known');
    expect(result.stdout).toContain('5.32: no upgrade notes known');
    // Nothing before the installed version.
    expect(result.stdout).not.toContain('5.28:');
  });

  it('--json prints one record with the same plan', async () => {
    const wire = installation({ installed: '5.28.0', target: '5.32.0', federation: false });
    const result = await wire.run(['--plan', '--offline', '--json']);
    expect(result.exitCode, result.text).toBe(0);
    const records = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const record = records.find((entry) => entry.type === 'upgrade-versions');
    expect(records.some((entry) => entry.type === 'upgrade-steps')).toBe(true);
    expect(record).toMatchObject({
      type: 'upgrade-versions',
      from: '5.28.0',
      to: '5.32.0',
      versions: ['5.29', '5.30', '5.31', '5.32'],
    });
    expect(record.skipped.map((skipped: { version: string }) => skipped.version)).toEqual(['5.29']);
  });

  it('5.25 -> 5.26 with federation on is refused with the reason, exit 2; without federation it passes', async () => {
    const federated = installation({ installed: '5.25.0', target: '5.26.0', federation: true });
    const refused = await federated.run(['--plan', '--offline']);
    expect(refused.exitCode, refused.text).toBe(2);
    expect(refused.stdout).toContain('refused: 5.26: Wire says federated installs must skip 5.26');
    expect(refused.stdout).toContain('choose a bundle of the next version, 5.27 or newer');

    const plain = installation({ installed: '5.25.0', target: '5.26.0', federation: false });
    const passes = await plain.run(['--plan', '--offline']);
    expect(passes.exitCode, passes.text).toBe(0);
    expect(passes.stdout).toContain('action: refill Elasticsearch from Cassandra');
  });

  it("--plan --offline lists the stages in order, the charts in Wire's upgrade order, contacting nothing", async () => {
    const wire = installation({ installed: '5.28.0', target: '5.32.0', federation: false });
    const result = await wire.run(['--plan', '--offline', '--json']);
    expect(result.exitCode, result.text).toBe(0);
    const steps = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .find((entry) => entry.type === 'upgrade-steps') as {
      id: string;
      stages: { id: string; steps: { id: string }[] }[];
    };
    expect(steps.id).toMatch(/^5\.28\.0-to-5\.32\.0-\d{8}T\d{6}$/);
    expect(steps.stages.map((stage) => stage.id)).toEqual([
      'upgrade-pre-checks',
      'upgrade-backup',
      'upgrade-reseed',
      'upgrade-charts',
      'upgrade-migrations',
      'upgrade-verify',
    ]);
    const charts =
      steps.stages.find((stage) => stage.id === 'upgrade-charts')?.steps.map((step) => step.id) ?? [];
    // docs/wire/upgrades.md#upgrade-the-charts-in-order: the ingress before wire-server, the web apps after it, calling last.
    const at = (release: string) => charts.indexOf(`upgrade.chart.${release}`);
    expect(at('cassandra-external')).toBe(0);
    expect(at('nginx-ingress-services')).toBeLessThan(at('wire-server'));
    expect(at('wire-server')).toBeLessThan(at('webapp'));
    expect(at('coturn')).toBe(charts.length - 1);
    // An incomplete bundle is shown as warnings here; the run itself refuses it.
    expect(result.stdout).toContain('the new bundle:');
  });

  it('an unfinished upgrade that got past wire-server is resumed from the version it started at, a finished one is not', async () => {
    const wire = installation({ installed: '5.32.0', target: '5.32.0', federation: false });
    const id = '5.28.0-to-5.32.0-20260101T120000';
    const writeRecord = (status: string) => {
      mkdirSync(join(wire.dir, '.wire-install', 'upgrades'), { recursive: true });
      writeFileSync(
        join(wire.dir, '.wire-install', 'upgrades', 'current.json'),
        JSON.stringify({ from: '5.28.0', to: '5.32.0', id, startedAt: '2026-01-01T12:00:00.000Z', status }),
      );
    };
    writeRecord('failed');
    const resumed = await wire.run(['--plan', '--offline', '--json']);
    expect(resumed.exitCode, resumed.text).toBe(0);
    const records = resumed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.find((entry) => entry.type === 'upgrade-versions')).toMatchObject({
      from: '5.28.0',
      to: '5.32.0',
      nothingToUpgrade: false,
    });
    expect(records.find((entry) => entry.type === 'upgrade-steps')?.id).toBe(id);
    expect(records.find((entry) => entry.type === 'warning')?.message).toContain(
      `upgrade ${id} is unfinished (failed) and wire-server already runs 5.32.0: resuming it from 5.28.0`,
    );

    writeRecord('succeeded');
    const done = await wire.run(['--plan', '--offline']);
    expect(done.exitCode, done.text).toBe(0);
    expect(done.stdout).toMatch(/nothing to upgrade/);
  });

  it('without --plan, an incomplete new bundle is refused before any host is contacted (exit 2)', async () => {
    const wire = installation({ installed: '5.28.0', target: '5.32.0', federation: false });
    const result = await wire.run(['--confirm-actions']);
    expect(result.exitCode, result.text).toBe(2);
    expect(result.stdout).toContain('skipped 5.29');
    expect(result.stderr).toMatch(
      /the new bundle in .* is not usable: \d+ problem\(s\); nothing was changed/,
    );
    expect(existsSync(join(wire.dir, '.wire-install', 'upgrades'))).toBe(false);
  });

  it('without --plan and without --confirm-actions, the actions to do by hand stop a non-interactive run (exit 2)', async () => {
    const wire = installation({ installed: '5.28.0', target: '5.32.0', federation: false });
    const bundle = standInBundle();
    const result = await runCli(['upgrade', '-i', 'inventory.yaml', '--bundle', bundle], { cwd: wire.dir });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      'this upgrade has 1 action to do by hand (listed above); nothing was changed',
    );
    expect(result.stderr).toContain('5.30: if calling still uses restund, migrate to coturn');
    expect(result.stderr).toContain('run again with --confirm-actions');
    expect(existsSync(join(wire.dir, '.wire-install', 'upgrades'))).toBe(false);
  });

  it('a bundle without the wire-server chart, or no --bundle, is bad input (exit 2)', async () => {
    const wire = installation({ installed: '5.28.0', target: '5.32.0', federation: false });
    mkdirSync(join(wire.dir, 'empty-bundle'));
    const noChart = await runCli(['upgrade', '--bundle', 'empty-bundle', '--plan'], { cwd: wire.dir });
    expect(noChart.exitCode, noChart.stderr).toBe(2);
    expect(noChart.stderr).toContain('the bundle has no chart wire-server');
    const noBundle = await runCli(['upgrade', '--plan'], { cwd: wire.dir });
    expect(noBundle.exitCode, noBundle.stderr).toBe(2);
    expect(noBundle.stderr).toContain('--bundle DIR is missing');
  });
});
