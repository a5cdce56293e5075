import { httpsCheck } from '../../verify/https-check.js';
import { checkIngressOverride } from '../../verify/ingress-endpoint.js';
import { verifyCheck } from '../../verify/verify-check.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const webappStep = defineStep({
  id: 'verify.webapp',
  stage: 'verify',
  title: 'https://webapp.<domain> loads',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: "Wire's documented web check",
  alwaysRun: true,
  beforeConnect: checkIngressOverride,
  operations: (inventory) => [
    verifyCheck('the web app', undefined, () => httpsCheck(inventory, 'webapp', '/', 'verify.webapp')),
  ],
});
