import type { Implementation } from './types.js';

/** The migrations steps' operations (being written; until then the plan marks them not built). */
export const MIGRATIONS_IMPLEMENTATIONS: Record<string, Implementation> = {};
