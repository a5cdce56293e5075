import type { Implementation } from './types.js';

/** The elasticsearch steps' operations (being written; until then the plan marks them not built). */
export const ELASTICSEARCH_IMPLEMENTATIONS: Record<string, Implementation> = {};
