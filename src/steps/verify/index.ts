import { apiStatusStep } from './api-status.js';
import { certificateStep } from './certificate.js';
import { coturnAddressesStep } from './coturn-addresses.js';
import { jobsStep } from './jobs.js';
import { nodesStep } from './nodes.js';
import { podsStep } from './pods.js';
import { webappStep } from './webapp.js';

/**
 * Verify: the checks Wire documents for a working installation (docs/wire/health-and-ports.md#health-checks), from the admin host:
 * kubectl for nodes, pods, jobs and cert-manager's Certificates; node:tls and node:https
 * against the ingress (src/verify/ingress-endpoint.ts says which address and why) for the
 * served certificate, the API status and the web app. Checks only, run on every apply.
 */
export const verifySteps = [
  nodesStep,
  podsStep,
  jobsStep,
  certificateStep,
  apiStatusStep,
  webappStep,
  coturnAddressesStep,
] as const;
