import type { DoctorCheck } from '../types.js';

/** doctor's dns checks (docs/doctor.md). */
export const DNS_CHECKS: readonly DoctorCheck[] = [];
