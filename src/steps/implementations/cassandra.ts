import type { Implementation } from './types.js';

/** The cassandra steps' operations (being written; until then the plan marks them not built). */
export const CASSANDRA_IMPLEMENTATIONS: Record<string, Implementation> = {};
