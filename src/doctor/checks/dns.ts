import type { DoctorCheck } from '../types.js';
import { DNS_FEDERATION_SRV } from './dns-federation-srv.js';
import { DNS_NAMES } from './dns-names.js';
import { DNS_SPF } from './dns-spf.js';

/** doctor's dns checks (docs/doctor.md): asked from the admin host, of --dns-server when given. */
export const DNS_CHECKS: readonly DoctorCheck[] = [DNS_NAMES, DNS_SPF, DNS_FEDERATION_SRV];
