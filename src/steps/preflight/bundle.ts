import { verifyBundle } from '../../bundle/verify.js';
import { inputError } from '../../core/errors.js';
import { findingLine } from '../../operations/findings-check.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const bundleStep = defineStep({
  id: 'preflight.bundle',
  stage: 'preflight',
  title: 'Check the offline bundle: charts, values, tarballs, version',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: "Every package, binary, image and chart comes from Wire's offline bundle; its wire-server chart must match wire.version",
  alwaysRun: true,
  needs: ['bundle'],
  beforeConnect: (_inventory, options) => checkBundle(options.bundleRoot),
  // The work is done before connecting; the step records that it passed.
  operations: () => [],
});

/** The bundle, verified on the admin host; problems are bad input (exit 2), named file by file. */
async function checkBundle(root: string): Promise<void> {
  const findings = await verifyBundle(root);
  if (findings.length === 0) return;
  throw inputError({
    what: `the offline bundle in ${root} is not usable: ${findings.length} problem${findings.length === 1 ? '' : 's'}; no host was contacted`,
    evidence: findings.map(findingLine),
    next: findings[0]?.fix ?? 'unpack the bundle again',
  });
}
