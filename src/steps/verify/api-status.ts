import { httpsCheck } from '../../verify/https-check.js';
import { checkIngressOverride } from '../../verify/ingress-endpoint.js';
import { verifyCheck } from '../../verify/verify-check.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const apiStatusStep = defineStep({
  id: 'verify.api-status',
  stage: 'verify',
  title: 'https://nginz-https.<domain>/status answers 200',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: "Wire's documented API check: HTTP 200 from nginz",
  alwaysRun: true,
  beforeConnect: checkIngressOverride,
  operations: (inventory) => [
    verifyCheck('the API status', undefined, () =>
      httpsCheck(inventory, 'nginz-https', '/status', 'verify.api-status'),
    ),
  ],
});
