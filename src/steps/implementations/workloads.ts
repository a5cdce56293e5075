import type { Implementation } from './types.js';

/** The workloads steps' operations (being written; until then the plan marks them not built). */
export const WORKLOADS_IMPLEMENTATIONS: Record<string, Implementation> = {};
