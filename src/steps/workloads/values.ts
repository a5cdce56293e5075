import { createHash } from 'node:crypto';
import { WireInstallError } from '../../core/errors.js';
import type { Inventory } from '../../inventory/defaults.js';
import { findingLine } from '../../operations/findings-check.js';
import type { Operation, OperationOutcome } from '../../operations/types.js';
import { chartsFor } from '../../wire/charts.js';
import { lastAppliedTree } from '../../workloads/values/last-applied.js';
import { renderCharts } from '../../workloads/values/render-all.js';
import { checkRenderedCharts } from '../../workloads/values/rules.js';
import { dumpYaml, examplePath, readExample } from '../../workloads/values.js';
import { defineStep, type StepOptions } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

/**
 * workloads.values: render every chart of the mode on the admin host and check the rules that
 * break real installs (src/workloads/values/rules.ts) before any chart is deployed. It writes
 * nothing: each chart step renders its own files for helm. Errors fail the step with every
 * finding as evidence; warnings are notes.
 */
export const valuesStep = defineStep({
  id: 'workloads.values',
  stage: 'workloads',
  title: 'Render the values and secrets of every chart',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: "Wire's example values with the domain, database IPs, TURN URIs and secrets (helm-operations.sh, helm_external.yml)",
  needs: ['bundle', 'secrets'],
  // The rules also compare with the last apply, which the chart steps move on: check every time.
  alwaysRun: true,
  beforeConnect: examplesParse,
  operations: (inventory, _host, options) => [valuesCheck(inventory, options)],
});

type ValuesOptions = StepOptions<'bundle' | 'secrets'>;

/** The step's one operation, a check; exported for its tests. */
export function valuesCheck(inventory: Inventory, options: ValuesOptions): Operation {
  const { bundleRoot, secrets } = options;
  const render = () => renderCharts(inventory, secrets, bundleRoot, { inventoryDir: options.inventoryDir });
  const run = async (): Promise<OperationOutcome> => {
    const charts = render();
    const findings = checkRenderedCharts(charts, (release) => lastAppliedTree(options.inventoryDir, release));
    const errors = findings.filter((finding) => finding.severity === 'error');
    if (errors.length > 0)
      throw new WireInstallError({
        what: `the values of Wire's charts break ${errors.length} rule${errors.length === 1 ? '' : 's'}`,
        evidence: findings.map(findingLine),
        next: errors[0]?.fix ?? 'fix the findings and run apply again',
      });
    return {
      changes: [],
      notes: [
        `${charts.length} charts rendered: ${charts.map((chart) => chart.release).join(', ')}`,
        ...findings.map(findingLine),
      ],
    };
  };
  // The rendered values and the secrets' hash: a changed inventory, bundle or secrets.yaml makes the step due.
  const digest = () => {
    const hash = createHash('sha256');
    for (const chart of render())
      hash.update(
        `${chart.release}\n${dumpYaml(chart.values)}\n${chart.secrets ? dumpYaml(chart.secrets) : ''}`,
      );
    return hash.digest('hex');
  };
  return {
    kind: 'check',
    target: "values and secrets of Wire's charts",
    inputs: { rendered: digest() },
    check: run,
    apply: run,
  };
}

/** Before any host is contacted: every example values file of the mode parses (else exit 2 naming it). */
async function examplesParse(inventory: Inventory, options: ValuesOptions): Promise<void> {
  for (const chart of chartsFor(inventory.mode))
    readExample(examplePath(options.bundleRoot, chart.chart, inventory.mode));
}
