import type { Implementation } from './types.js';

/** The Kubernetes node steps' operations (being written; until then the plan marks them not built). */
export const KUBERNETES_NODE_IMPLEMENTATIONS: Record<string, Implementation> = {};
