import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/inventory/defaults.js';
import { wireEngineStages } from '../../../src/plan/engine-stages.js';
import { demo, production } from '../../support/inventories.js';
import { testSecrets } from '../../support/test-secrets.js';

/**
 * Which of the plan's steps have operations: with secrets.yaml and the bundle given, every step
 * of a production plan (bundled or existing cluster) and of a demo runs.
 */
const unavailable = (inventory: Inventory) =>
  wireEngineStages(inventory, '/srv/wire', {
    allowUnsupportedOs: false,
    allowUndersized: false,
    secrets: testSecrets(),
    secretsPath: '/srv/wire/secrets.yaml',
    inventoryDir: '/srv/wire',
    dnsServer: undefined,
  })
    .flatMap((stage) => stage.steps)
    .filter((step) => step.unavailable)
    .map((step) => `${step.id}: ${step.unavailable}`);

const withBundle = (edit?: Parameters<typeof production>[0]) =>
  production((input) => {
    edit?.(input);
    input.bundle = { path: 'bundle' };
  });

describe("the plan's steps that have operations", () => {
  it('every step of a production install, on a bundled cluster and on an existing one', () => {
    expect(unavailable(withBundle())).toEqual([]);
    expect(
      unavailable(
        withBundle((input) => {
          input.kubernetes = { mode: 'existing', kubeconfig: 'kubeconfig.yaml' };
        }),
      ),
    ).toEqual([]);
  });

  it('every step of a demo', () => {
    const single = demo((input) => {
      input.bundle = { path: 'bundle' };
    });
    expect(unavailable(single)).toEqual([]);
  });

  it('the steps that read secrets.yaml or the bundle are refused without them, saying which', () => {
    const steps = wireEngineStages(production(), '/srv/wire', {
      allowUnsupportedOs: false,
      allowUndersized: false,
      secrets: undefined,
      secretsPath: '/srv/wire/secrets.yaml',
      inventoryDir: '/srv/wire',
      dnsServer: undefined,
    }).flatMap((stage) => stage.steps);
    const reason = (id: string) => steps.find((step) => step.id === id)?.unavailable;
    expect(reason('databases.postgresql-primary')).toContain('/srv/wire/secrets.yaml, which does not exist');
    expect(reason('assets.unpack-bundle')).toContain('needs bundle.path');
    expect(reason('bootstrap-host.hostname')).toBeUndefined();
  });
});
