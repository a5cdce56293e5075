import type { Finding } from '../core/finding.js';
import { findingsCheck } from './findings-check.js';
import type { Operation, OperationContext } from './types.js';

/**
 * A check that asks the host (a health check: cluster status, replication): `evaluate` reads
 * what it needs and returns findings; errors fail the step, warnings are notes. Changes nothing.
 */
export function remoteCheck(
  name: string,
  evaluate: (context: OperationContext, mode: 'check' | 'apply') => Promise<Finding[]>,
): Operation {
  const run = async (context: OperationContext) => {
    const findings = await evaluate(context, 'apply');
    return findingsCheck(name, () => findings).check(context);
  };
  // In a plan, what is checked may not be installed yet: that the check cannot run is a note.
  const plan = async (context: OperationContext) => {
    let findings: Finding[];
    try {
      findings = await evaluate(context, 'check');
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      return { changes: [], notes: [`${name} cannot be checked before apply: ${reason}`] };
    }
    return findingsCheck(name, () => findings).check(context);
  };
  return { kind: 'check', target: name, inputs: { check: name }, check: plan, apply: run };
}
