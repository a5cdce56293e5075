import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/inventory/defaults.js';
import { secretValues } from '../../../src/secrets/redact.js';
import { chartsFor } from '../../../src/wire/charts.js';
import { chartFiles } from '../../../src/workloads/values.js';
import { demo, production } from '../../support/inventories.js';
import { TEST_CERTIFICATE, testSecrets } from '../../support/test-secrets.js';
import { pinnedBundle } from '../../support/upstream-charts.js';

/**
 * Golden files of the rendered values and secrets of every chart, for the example demo and
 * production inventories over Wire's real example values (the pinned wire-develop set). A difference
 * fails; to accept a change on purpose: UPDATE_GOLDEN=1 npx vitest run --project unit <this file>,
 * then read the diff of test/golden/values/ before committing it.
 */
/** Wire's real example values (the pinned wire-develop set, wire-server-deploy v5.32's values/). */
const BUNDLE = pinnedBundle();
const GOLDEN = join(import.meta.dirname, '../../golden/values');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function rendered(inventory: Inventory) {
  return chartsFor(inventory.mode)
    .filter((chart) => chart.when?.applies(inventory) ?? true)
    .map((chart) => ({
      release: chart.release,
      ...chartFiles(inventory, testSecrets(), BUNDLE, chart, { certificate: TEST_CERTIFICATE }),
    }));
}

function golden(path: string, actual: string | undefined): void {
  if (UPDATE) {
    mkdirSync(join(path, '..'), { recursive: true });
    if (actual !== undefined) writeFileSync(path, actual);
    return;
  }
  if (actual === undefined) {
    expect(existsSync(path), `${path} should not exist: the release has no secrets`).toBe(false);
    return;
  }
  expect(existsSync(path), `golden ${path} missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(actual, `differs from ${path}`).toBe(readFileSync(path, 'utf8'));
}

describe.each([
  ['production', production()],
  ['demo', demo()],
])('rendered values and secrets, %s example inventory', (mode, inventory) => {
  const charts = rendered(inventory);

  it.each(charts.map((chart) => [chart.release, chart]))('%s matches its golden files', (release, chart) => {
    golden(join(GOLDEN, mode, `${release}.values.yaml`), chart.values);
    golden(join(GOLDEN, mode, `${release}.secrets.yaml`), chart.secrets);
  });

  it('puts no secret of secrets.yaml into any values file', () => {
    const secrets = secretValues(testSecrets());
    const leaks = charts.flatMap((chart) =>
      secrets
        .filter((secret) => chart.values.includes(secret))
        .map((secret) => `${chart.release}: ${secret}`),
    );
    expect(leaks).toEqual([]);
  });
});
