import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWireInstallError } from '../../../src/core/errors.js';
import type { Inventory } from '../../../src/inventory/defaults.js';
import type { OperationContext } from '../../../src/operations/types.js';
import type { WireSecrets } from '../../../src/secrets/generate.js';
import type { StepOptions } from '../../../src/steps/define-step.js';
import { valuesCheck, valuesStep } from '../../../src/steps/workloads/values.js';
import { keepAppliedValues } from '../../../src/workloads/values/last-applied.js';
import { demo, production } from '../../support/inventories.js';
import { testSecrets } from '../../support/test-secrets.js';
import { pinnedBundle } from '../../support/upstream-charts.js';

/** The workloads.values step: every chart of the mode rendered, the rules checked before any chart is deployed. */
/** Wire's real example values (the pinned wire-develop set, wire-server-deploy v5.32's values/). */
const BUNDLE = pinnedBundle();

function options(
  secrets: WireSecrets,
  inventoryDir = mkdtempSync(join(tmpdir(), 'wire-step-')),
): StepOptions<'bundle' | 'secrets'> {
  return {
    allowUnsupportedOs: false,
    allowUndersized: false,
    secrets,
    secretsPath: join(inventoryDir, 'secrets.yaml'),
    inventoryDir,
    dnsServer: undefined,
    bundleRoot: BUNDLE,
  };
}

// The check reads only local files: the admin host is this machine.
const context = {} as OperationContext;

async function failure(inventory: Inventory, stage: StepOptions<'bundle' | 'secrets'>) {
  try {
    await valuesCheck(inventory, stage).apply(context);
  } catch (error) {
    if (isWireInstallError(error)) return error;
    throw error;
  }
  throw new Error('the values check passed');
}

describe('workloads.values', () => {
  it('is the plan step, needing the bundle and secrets.yaml', () => {
    expect(valuesStep.id).toBe('workloads.values');
    expect([...valuesStep.needs].sort()).toEqual(['bundle', 'secrets']);
  });

  it('passes on the example inventories and names every chart it rendered', async () => {
    const outcome = await valuesCheck(demo(), options(testSecrets())).check(context);
    expect(outcome.changes).toEqual([]);
    expect(outcome.notes[0]).toMatch(/^14 charts rendered: fake-aws, smtp, rabbitmq, .*, sftd$/);
    // certificates.mode self-signed: no cert-manager release.
    expect(outcome.notes[0]).not.toContain('cert-manager');
    await expect(valuesCheck(production(), options(testSecrets())).apply(context)).resolves.toBeDefined();
  });

  it('fails on a rule error with the finding as evidence and no secret in the message', async () => {
    const secrets = testSecrets();
    secrets.mlsRemovalKeys.ed25519 = '';
    const error = await failure(production(), options(secrets));
    expect(error.what).toBe("the values of Wire's charts break 1 rule");
    expect(error.evidence.join('\n')).toContain('values.mls-removal-keys');
    expect(JSON.stringify(error.toJSON())).not.toContain(secrets.turnSecret);
  });

  it('fails when the federation domain differs from the values kept from the last apply', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-step-'));
    await keepAppliedValues(
      dir,
      'wire-server',
      'brig:\n  config:\n    optSettings:\n      setFederationDomain: old.test\n',
    );
    const error = await failure(production(), options(testSecrets(), dir));
    expect(error.evidence.join('\n')).toContain('values.federation-domain');
  });

  it('hashes the rendered files into its inputs: another secret changes them, and no secret is in them', () => {
    const first = valuesCheck(production(), options(testSecrets())).inputs;
    const secrets = testSecrets();
    secrets.turnSecret = 'TEST-ANOTHER-TURN-SECRET';
    const second = valuesCheck(production(), options(secrets)).inputs;
    expect(second).not.toEqual(first);
    expect(JSON.stringify(second)).not.toContain('TEST-ANOTHER-TURN-SECRET');
  });
});
