import type { DoctorCheck } from '../types.js';
import { CERTS_CHECKS } from './certs.js';
import { CLUSTER_CHECKS } from './cluster.js';
import { DATABASES_CHECKS } from './databases.js';
import { DNS_CHECKS } from './dns.js';
import { DRIFT_CHECKS } from './drift.js';
import { HOSTS_CHECKS } from './hosts.js';
import { LOCAL_CHECKS } from './local.js';
import { NETWORK_CHECKS } from './network.js';

/** Every check, in the order the report shows them (the groups' order, DOCTOR_GROUPS). */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  ...LOCAL_CHECKS,
  ...HOSTS_CHECKS,
  ...NETWORK_CHECKS,
  ...DNS_CHECKS,
  ...CERTS_CHECKS,
  ...CLUSTER_CHECKS,
  ...DATABASES_CHECKS,
  ...DRIFT_CHECKS,
];
