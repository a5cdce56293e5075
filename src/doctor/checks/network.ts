import type { DoctorCheck } from '../types.js';

/** doctor's network checks (docs/doctor.md). */
export const NETWORK_CHECKS: readonly DoctorCheck[] = [];
