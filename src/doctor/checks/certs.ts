import type { DoctorCheck } from '../types.js';
import { CERTS_FILES } from './certs-files.js';
import { CERTS_SERVED } from './certs-served.js';

/** doctor's certs checks (docs/doctor.md): the files on this machine, and what the ingress serves. */
export const CERTS_CHECKS: readonly DoctorCheck[] = [CERTS_FILES, CERTS_SERVED];
