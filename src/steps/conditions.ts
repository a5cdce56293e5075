import type { StepCondition } from '../inventory/conditions.js';

/**
 * The inventory conditions steps depend on, each with the sentence shown when it does not hold.
 * Those the chart list uses too (cert-manager, SFT, coturn, the demo's smtp) are below the
 * steps with the chart data, in src/inventory/conditions.ts.
 */

export const kubernetesBundled: StepCondition = {
  applies: (inventory) => inventory.kubernetes.mode === 'bundled',
  otherwise: 'kubernetes.mode is existing: the nodes of an existing cluster are not reconfigured',
};

export const kubernetesExisting: StepCondition = {
  applies: (inventory) => inventory.kubernetes.mode === 'existing',
  otherwise: 'kubernetes.mode is bundled: wire-install installs the cluster itself',
};

export const selfSignedCertificates: StepCondition = {
  applies: (inventory) => inventory.certificates.mode === 'self-signed',
  otherwise: 'certificates.mode is not self-signed: no private CA is made',
};

export const callingEnabled: StepCondition = {
  applies: (inventory) => inventory.wire.calling.sft.enabled || inventory.wire.calling.coturn.enabled,
  otherwise: 'calling is off (neither wire.calling.sft nor wire.calling.coturn is enabled)',
};
