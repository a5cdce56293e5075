import type { DoctorCheck } from '../types.js';

/** doctor's certs checks (docs/doctor.md). */
export const CERTS_CHECKS: readonly DoctorCheck[] = [];
