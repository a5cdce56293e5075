import type { DoctorCheck } from '../types.js';

/** doctor's hosts checks (docs/doctor.md). */
export const HOSTS_CHECKS: readonly DoctorCheck[] = [];
