import type { Implementation } from './types.js';

/** The minio steps' operations (being written; until then the plan marks them not built). */
export const MINIO_IMPLEMENTATIONS: Record<string, Implementation> = {};
