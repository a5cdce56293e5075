import { chartImplementations } from '../../workloads/helm/chart-steps.js';
import type { Implementation } from './types.js';
import { workloadsSelfSignedCertificate } from './workloads-self-signed.js';
import { workloadsValues } from './workloads-values.js';

/**
 * The workloads steps' operations: one helm release per chart (src/workloads/helm/chart-steps.ts);
 * the steps not listed here are marked not built by the plan.
 */
export const WORKLOADS_IMPLEMENTATIONS: Record<string, Implementation> = {
  'workloads.values': workloadsValues,
  'workloads.self-signed-certificate': workloadsSelfSignedCertificate,
  ...chartImplementations(),
};
