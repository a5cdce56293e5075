import type { ChartDefinition } from '../../wire/charts.js';
import { chartReleaseOperation } from '../../workloads/helm/chart-release.js';
import { defineStep, type WireStep } from '../define-step.js';

/**
 * The step of one chart of the list (src/wire/charts.ts): `helm upgrade --install --wait` of its
 * release from the bundle's charts/ on the admin host (src/workloads/helm/chart-release.ts). A
 * release used by both modes has one step per mode with the same id; the plan and the engine
 * see the one of the inventory's mode.
 */
export function chartStep<const Release extends string>(
  chart: ChartDefinition<Release>,
): WireStep<`workloads.${Release}`> {
  const namespace = chart.namespace === 'default' ? '' : ` into namespace ${chart.namespace}`;
  return defineStep({
    id: `workloads.${chart.release}` as const,
    stage: 'workloads',
    title: `Install chart ${chart.chart}${namespace}`,
    modes: chart.modes,
    target: { kind: 'admin' },
    ...(chart.when ? { when: chart.when } : {}),
    why: chart.why,
    needs: ['bundle', 'secrets'],
    operations: (inventory, _host, options) => {
      if (!chart.modes.includes(inventory.mode))
        throw new Error(
          `engine: workloads.${chart.release} is not a chart of a ${inventory.mode} installation`,
        );
      return [chartReleaseOperation(inventory, chart, options)];
    },
  });
}
