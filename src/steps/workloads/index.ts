import { type ChartDefinition, DEMO_CHARTS, PRODUCTION_CHARTS } from '../../wire/charts.js';
import { callingEnabled, selfSignedCertificates } from '../conditions.js';
import { BOTH_MODES, type StepDefinition } from '../types.js';

/**
 * Workloads: what the charts need first (values, certificates, node labels), then one step per chart in Wire's order for the mode (src/wire/charts.ts). Every chart is
 * `helm upgrade --install --wait` from the bundle's charts/ on the admin host.
 */
const prepareSteps: readonly StepDefinition[] = [
  {
    id: 'workloads.values',
    stage: 'workloads',
    title: 'Render the values and secrets of every chart',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: "Wire's example values with the domain, database IPs, TURN URIs and secrets (helm-operations.sh, helm_external.yml)",
  },
  {
    id: 'workloads.self-signed-certificate',
    stage: 'workloads',
    title: 'Make a private CA and a certificate for every Wire name',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    when: selfSignedCertificates,
    why: 'nginx-ingress-services needs a certificate covering every name under the domain',
  },
  {
    id: 'workloads.calling-node-labels',
    stage: 'workloads',
    title: 'Label the sftd and coturn nodes; annotate their external IP',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    when: callingEnabled,
    why: 'sftd and coturn select nodes by wire.com/role and read wire.com/external-ip behind 1:1 NAT',
  },
];

function chartStep(chart: ChartDefinition): StepDefinition {
  const namespace = chart.namespace === 'default' ? '' : ` into namespace ${chart.namespace}`;
  return {
    id: `workloads.${chart.release}`,
    stage: 'workloads',
    title: `Install chart ${chart.chart}${namespace}`,
    modes: chart.modes,
    target: { kind: 'admin' },
    ...(chart.when ? { when: chart.when } : {}),
    why: chart.why,
  };
}

/**
 * The chart steps of both modes. A chart used by both modes has the same id in each (e.g.
 * `workloads.wire-server`), so ids are unique within a mode, which is what a plan and the
 * state file of one installation see.
 */
export const workloadSteps: readonly StepDefinition[] = [
  ...prepareSteps,
  ...PRODUCTION_CHARTS.map(chartStep),
  ...DEMO_CHARTS.map(chartStep),
];
