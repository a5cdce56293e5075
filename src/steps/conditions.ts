import type { StepCondition } from './types.js';

/** The inventory conditions steps and charts depend on, each with the sentence shown when it does not hold. */

export const kubernetesBundled: StepCondition = {
  applies: (inventory) => inventory.kubernetes.mode === 'bundled',
  otherwise: 'kubernetes.mode is existing: the nodes of an existing cluster are not reconfigured',
};

export const kubernetesExisting: StepCondition = {
  applies: (inventory) => inventory.kubernetes.mode === 'existing',
  otherwise: 'kubernetes.mode is bundled: wire-install installs the cluster itself',
};

export const certManager: StepCondition = {
  applies: (inventory) => inventory.certificates.mode === 'cert-manager',
  otherwise: "certificates.mode is not cert-manager: no Let's Encrypt issuer is needed",
};

export const selfSignedCertificates: StepCondition = {
  applies: (inventory) => inventory.certificates.mode === 'self-signed',
  otherwise: 'certificates.mode is not self-signed: no private CA is made',
};

export const sftEnabled: StepCondition = {
  applies: (inventory) => inventory.wire.calling.sft.enabled,
  otherwise: 'SFT is off (wire.calling.sft.enabled: false)',
};

export const coturnEnabled: StepCondition = {
  applies: (inventory) => inventory.wire.calling.coturn.enabled,
  otherwise: 'coturn is off (wire.calling.coturn.enabled: false)',
};

export const callingEnabled: StepCondition = {
  applies: (inventory) => inventory.wire.calling.sft.enabled || inventory.wire.calling.coturn.enabled,
  otherwise: 'calling is off (neither wire.calling.sft nor wire.calling.coturn is enabled)',
};

export const demoSmtp: StepCondition = {
  applies: (inventory) => inventory.wire.smtp.mode === 'demo',
  otherwise: 'wire.smtp.mode is relay: Wire sends through your mail server, no in-cluster relay',
};
