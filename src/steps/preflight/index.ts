import { adminToolsStep } from './admin-tools.js';
import { bundleStep } from './bundle.js';
import { dnsStep } from './dns.js';
import { existingClusterStep } from './existing-cluster.js';
import { hostFactsStep } from './host-facts.js';
import { secretsStep } from './secrets.js';
import { sshStep } from './ssh.js';

/**
 * Preflight: everything that can stop an install is checked before any host is changed.
 * (The inventory itself has already been checked against Wire's rules before planning.)
 */
export const preflightSteps = [
  bundleStep,
  adminToolsStep,
  secretsStep,
  sshStep,
  hostFactsStep,
  existingClusterStep,
  dnsStep,
] as const;
