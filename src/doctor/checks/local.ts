import type { DoctorCheck } from '../types.js';

/** doctor's local checks (docs/doctor.md). */
export const LOCAL_CHECKS: readonly DoctorCheck[] = [];
