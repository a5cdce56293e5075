import { describe, expect, it } from 'vitest';
import { upgradeCompletionIds } from '../../../src/commands/completion/spec.js';
import type { Inventory } from '../../../src/inventory/defaults.js';
import { backupStage } from '../../../src/upgrade/backups/index.js';
import { chartUpgradeStage } from '../../../src/upgrade/charts/stage.js';
import { upgradeEngineStages } from '../../../src/upgrade/stages.js';
import { demo, production } from '../../support/inventories.js';

/**
 * The upgrade's stages pick apply's steps by id (stages.ts); a renamed or missing id would drop
 * a pre-check or a re-seeding step without a word. These lists are written out here, so a change
 * on either side fails this test.
 */
const target = { from: '5.28.0', to: '5.32.0', id: '5.28.0-to-5.32.0-20260101T120000' };

function stepIds(inventory: Inventory): Record<string, string[]> {
  const stages = upgradeEngineStages(
    inventory,
    '/srv/wire',
    {
      allowUnsupportedOs: false,
      allowUndersized: false,
      secrets: undefined,
      secretsPath: '/srv/wire/secrets.yaml',
      inventoryDir: '/srv/wire',
      dnsServer: undefined,
    },
    { bundleRoot: '/srv/new-bundle', target },
    { backup: backupStage, charts: chartUpgradeStage },
  );
  return Object.fromEntries(stages.map((stage) => [stage.id, stage.steps.map((step) => step.id)]));
}

describe('upgradeEngineStages', () => {
  it('production: every pre-check and re-seeding step apply has, the databases included', () => {
    const ids = stepIds(production());
    expect(ids['upgrade-pre-checks']).toEqual([
      'preflight.ssh',
      'preflight.host-facts',
      'databases.cassandra-health',
      'databases.elasticsearch-health',
      'databases.postgresql-health',
      'databases.rabbitmq-health',
      'upgrade.pre-check.nodes',
      'upgrade.pre-check.pods',
      'upgrade.pre-check.backup-disk',
    ]);
    expect(ids['upgrade-reseed']).toEqual(['assets.unpack-bundle', 'assets.serve', 'kubernetes.seed-images']);
    expect(ids['upgrade-verify']).toContain('verify.nodes');
    expect(ids['upgrade-verify']).toContain('verify.pods');
    expect(ids['upgrade-migrations']?.length).toBeGreaterThan(0);
  });

  it('demo: no database hosts to check, the demo host serves the bundle', () => {
    const ids = stepIds(demo());
    expect(ids['upgrade-pre-checks']).toEqual([
      'preflight.ssh',
      'preflight.host-facts',
      'upgrade.pre-check.nodes',
      'upgrade.pre-check.pods',
    ]);
    expect(ids['upgrade-reseed']).toEqual(['assets.serve-on-demo-host', 'kubernetes.seed-images']);
  });

  it('no step id appears twice (the engine, --from/--only and the live tree key steps by id)', () => {
    for (const inventory of [production(), demo()]) {
      const all = Object.values(stepIds(inventory)).flat();
      expect(all.length).toBeGreaterThan(0);
      expect(all.filter((id, index) => all.indexOf(id) !== index)).toEqual([]);
    }
  });

  it('shell completion offers every stage and step id an upgrade has (demo and production)', () => {
    const offered = new Set(upgradeCompletionIds());
    for (const inventory of [production(), demo()])
      for (const [stage, steps] of Object.entries(stepIds(inventory)))
        for (const id of [stage, ...steps]) expect(offered.has(id), `${id} is not offered`).toBe(true);
  });
});
