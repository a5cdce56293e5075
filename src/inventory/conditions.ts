import type { Inventory } from './defaults.js';

/**
 * A condition on the inventory, with the sentence the plan shows when it does not hold
 * ("SFT is off: wire.calling.sft.enabled is false"), so a skipped step always says why.
 * A step's `when` (src/steps/) and a chart's (src/wire/charts.ts) are one.
 */
export interface StepCondition {
  applies: (inventory: Inventory) => boolean;
  /** Why the step is skipped when `applies` is false; names the inventory key to change. */
  otherwise: string;
}

/**
 * The conditions the chart list (src/wire/charts.ts) depends on, here below the steps so the
 * chart data can use them; the conditions only steps use are in src/steps/conditions.ts.
 */

export const certManager: StepCondition = {
  applies: (inventory) => inventory.certificates.mode === 'cert-manager',
  otherwise: "certificates.mode is not cert-manager: no Let's Encrypt issuer is needed",
};

export const sftEnabled: StepCondition = {
  applies: (inventory) => inventory.wire.calling.sft.enabled,
  otherwise: 'SFT is off (wire.calling.sft.enabled: false)',
};

export const coturnEnabled: StepCondition = {
  applies: (inventory) => inventory.wire.calling.coturn.enabled,
  otherwise: 'coturn is off (wire.calling.coturn.enabled: false)',
};

export const demoSmtp: StepCondition = {
  applies: (inventory) => inventory.wire.smtp.mode === 'demo',
  otherwise: 'wire.smtp.mode is relay: Wire sends through your mail server, no in-cluster relay',
};
