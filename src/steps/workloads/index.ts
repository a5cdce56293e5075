import { DEMO_CHARTS, PRODUCTION_CHARTS } from '../../wire/charts.js';
import { callingNodeLabelsStep } from './calling-node-labels.js';
import { chartStep } from './chart-step.js';
import { selfSignedCertificateStep } from './self-signed-certificate.js';
import { valuesStep } from './values.js';

/**
 * Workloads: what the charts need first (values, certificates, node labels), then one step per chart in Wire's order for the mode (src/wire/charts.ts). Every chart is
 * `helm upgrade --install --wait` from the bundle's charts/ on the admin host.
 *
 * The chart steps of both modes: a chart used by both modes has the same id in each (e.g.
 * `workloads.wire-server`), so ids are unique within a mode, which is what a plan and the
 * state file of one installation see.
 */
export const workloadSteps = [
  valuesStep,
  selfSignedCertificateStep,
  callingNodeLabelsStep,
  ...PRODUCTION_CHARTS.map(chartStep),
  ...DEMO_CHARTS.map(chartStep),
] as const;
