import type { StepHost } from '../../engine/types.js';
import type { HostFacts } from '../../hosts/facts.js';
import type { Inventory } from '../../inventory/defaults.js';
import { findingsCheck } from '../../operations/findings-check.js';
import type { Operation } from '../../operations/types.js';
import { bundleSizes, checkArtifactDisk } from '../../preflight/artifact-disk.js';
import { checkHostFacts, checkInstallation, type PreflightOptions } from '../../preflight/host-checks.js';
import { BUNDLE_TARS } from '../../wire/assets.js';
import { defineStep, type WireStageOptions } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const hostFactsStep = defineStep({
  id: 'preflight.host-facts',
  stage: 'preflight',
  title: 'Measure each host: OS, CPUs, memory, disk, addresses, firewall',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: 'all' },
  order: 'parallel',
  why: "Ubuntu 22.04 amd64, Wire's sizing per role, a static private IP, no host firewall in the way",
  alwaysRun: true,
  operations: (inventory, host, options) => [hostFactsCheck(inventory, host, options)],
});

function hostFactsCheck(
  inventory: Inventory,
  host: StepHost,
  options: PreflightOptions & Pick<WireStageOptions, 'bundleRoot'>,
): Operation {
  const inventoryHost = inventory.hosts.find((candidate) => candidate.name === host.name);
  // Only the inventory's hosts are compared (the admin host has facts too, for admin steps).
  const others = new Map<string, HostFacts>(
    [...host.allFacts].filter(([name]) => inventory.hosts.some((candidate) => candidate.name === name)),
  );
  const sizes = options.bundleRoot ? bundleSizes(options.bundleRoot, BUNDLE_TARS) : {};
  return findingsCheck('preflight', () =>
    inventoryHost
      ? [
          ...checkHostFacts(inventory, inventoryHost, host.facts, others, options),
          ...checkArtifactDisk(inventory, inventoryHost, host.facts, sizes),
          ...checkInstallation(inventory, inventoryHost.name, host.facts),
        ]
      : [],
  );
}
