import { WireInstallError } from '../core/errors.js';
import type { EngineStage } from '../engine/types.js';
import type { Inventory } from '../inventory/defaults.js';

/**
 * Wire's stages as the engine runs them: each step definition (registry.ts) with its
 * operations. None has operations yet: the engine is built and tested with the lab play
 * (test/lab/play); bootstrap-host and the databases come next (issue 4), then the workloads.
 * Until then apply says so before contacting any host.
 */
export function wireEngineStages(_inventory: Inventory): EngineStage[] {
  throw new WireInstallError({
    what: "running Wire's stages on hosts is not built yet: the steps have no operations (issue 4 adds bootstrap-host and the databases)",
    next: 'apply --plan --offline shows the stages and steps; nothing was contacted or changed',
  });
}
