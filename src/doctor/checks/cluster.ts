import type { DoctorCheck } from '../types.js';
import { clusterApiStatus } from './cluster-api.js';
import { clusterCoturn } from './cluster-calling.js';
import { clusterJobs } from './cluster-jobs.js';
import { clusterNodes } from './cluster-nodes.js';
import { clusterPods } from './cluster-pods.js';

/** doctor's cluster checks (docs/doctor.md): what `kubectl` and the ingress say after install. */
export const CLUSTER_CHECKS: readonly DoctorCheck[] = [
  clusterNodes,
  clusterPods,
  clusterJobs,
  clusterCoturn,
  clusterApiStatus,
];
