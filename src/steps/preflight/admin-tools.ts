import { remoteCheck } from '../../operations/remote-check.js';
import type { Operation, OperationOutcome } from '../../operations/types.js';
import { checkAdminTools } from '../../preflight/admin-tools.js';
import { describeChoices } from '../../tools/admin-tools.js';
import { defineStep, type WireStageOptions } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const adminToolsStep = defineStep({
  id: 'preflight.admin-tools',
  stage: 'preflight',
  title: 'Check helm and kubectl on the admin host',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: "Wire installs charts with helm and checks the cluster with kubectl from the admin host (Wire's admin image ships both)",
  alwaysRun: true,
  operations: (_inventory, _host, options) => [adminToolsCheck(options)],
});

/**
 * helm and kubectl on the admin host: the copies the run chose (src/tools/admin-tools.ts: the
 * release's helm, the bundle's kubectl, or PATH's) are named in the notes, then checked.
 */
const adminToolsCheck = (options: Pick<WireStageOptions, 'adminTools'> = {}): Operation => {
  const check = remoteCheck('helm and kubectl', (context) =>
    checkAdminTools(context.host, { helm: 'helm', kubectl: 'kubectl' }),
  );
  const named = async (outcome: Promise<OperationOutcome>): Promise<OperationOutcome> => {
    const result = await outcome;
    return { ...result, notes: [...describeChoices(options.adminTools?.choices ?? []), ...result.notes] };
  };
  return {
    ...check,
    check: (context) => named(check.check(context)),
    apply: (context) => named(check.apply(context)),
  };
};
