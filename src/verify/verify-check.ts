import { existsSync } from 'node:fs';
import type { Finding } from '../core/finding.js';
import { findingLine, findingsCheck } from '../operations/findings-check.js';
import type { Operation, OperationContext } from '../operations/types.js';

/**
 * A verify check as an operation. Apply: error findings fail the step (findingsCheck). A plan
 * runs before the install it verifies: what it finds, or that it cannot ask yet, are notes.
 */
export function verifyCheck(
  name: string,
  kubeconfigPath: string | undefined,
  evaluate: (context: OperationContext) => Promise<Finding[]>,
): Operation {
  return {
    kind: 'check',
    target: name,
    inputs: { check: name },
    async check(context) {
      if (kubeconfigPath && !existsSync(kubeconfigPath))
        return {
          changes: [],
          notes: [`${name} is checked once kubernetes.admin-kubeconfig wrote ${kubeconfigPath}`],
        };
      try {
        return { changes: [], notes: (await evaluate(context)).map(findingLine) };
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        return { changes: [], notes: [`${name} cannot be checked before apply: ${reason}`] };
      }
    },
    async apply(context) {
      const findings = await evaluate(context);
      return findingsCheck(name, () => findings).apply(context);
    },
  };
}
