import type { DoctorCheck } from '../types.js';

/** doctor's databases checks (docs/doctor.md). */
export const DATABASES_CHECKS: readonly DoctorCheck[] = [];
