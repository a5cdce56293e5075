import type { Implementation } from './types.js';

/** The kubernetes steps' operations (being written; until then the plan marks them not built). */
export const KUBERNETES_IMPLEMENTATIONS: Record<string, Implementation> = {};
