import type { Implementation } from './types.js';

/** The verify steps' operations (being written; until then the plan marks them not built). */
export const VERIFY_IMPLEMENTATIONS: Record<string, Implementation> = {};
