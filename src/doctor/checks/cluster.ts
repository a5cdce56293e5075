import type { DoctorCheck } from '../types.js';

/** doctor's cluster checks (docs/doctor.md). */
export const CLUSTER_CHECKS: readonly DoctorCheck[] = [];
