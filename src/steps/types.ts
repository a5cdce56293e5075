import type { Inventory } from '../inventory/defaults.js';
import type { Role } from '../inventory/roles.js';

/**
 * The words a step is described in: modes, where it runs and how it spreads over its hosts.
 * A step itself is made by defineStep (define-step.ts).
 */

export type Mode = Inventory['mode'];

/**
 * Where a step runs. `hosts`: over SSH on every inventory host that has any of `roles`
 * ('all' = every host), minus hosts that have any of `exceptRoles`, in inventory order.
 * `admin`: once, on the admin host wire-install runs on (helm, kubectl, HTTPS checks).
 */
export type StepTarget =
  | { kind: 'hosts'; roles: readonly Role[] | 'all'; exceptRoles?: readonly Role[] }
  | { kind: 'admin' };

/**
 * How a hosts step spreads over its hosts:
 * - `parallel`: on all of them at once;
 * - `serial`: one at a time, in inventory order (the first listed goes first, e.g. the Cassandra seed);
 * - `first-host-only`: only on the first listed (kubeadm init, the PostgreSQL primary);
 * - `after-first-serial`: on every host but the first, one at a time (control-plane joins,
 *   PostgreSQL standbys, RabbitMQ nodes joining the first).
 */
export type StepOrder = 'parallel' | 'serial' | 'first-host-only' | 'after-first-serial';

export const BOTH_MODES: readonly Mode[] = ['demo', 'production'];
export const PRODUCTION_ONLY: readonly Mode[] = ['production'];
export const DEMO_ONLY: readonly Mode[] = ['demo'];
