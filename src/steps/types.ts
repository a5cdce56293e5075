import type { StepCondition } from '../inventory/conditions.js';
import type { Inventory } from '../inventory/defaults.js';
import type { Role } from '../inventory/roles.js';
import type { StageId } from './stages.js';

/**
 * A step is data in this version: what it does, in which stage, on which hosts, in which
 * order and why Wire needs it. Its remote behaviour (check what would change, then apply) is
 * added by the engine in a later issue; the plan is built from these definitions alone.
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

export interface StepDefinition {
  /** `<stage>.<name>`, kebab case. Unique within a mode (chart steps share an id across modes). */
  id: string;
  stage: StageId;
  /** What the step does, imperative, short enough for one line of the plan. */
  title: string;
  modes: readonly Mode[];
  target: StepTarget;
  /** Only for `hosts` targets; `parallel` when absent. */
  order?: StepOrder;
  when?: StepCondition;
  /** One line: why this step exists, citing Wire's requirement (Wire's file, or the docs/wire/ page that explains it). */
  why: string;
}

export const BOTH_MODES: readonly Mode[] = ['demo', 'production'];
export const PRODUCTION_ONLY: readonly Mode[] = ['production'];
export const DEMO_ONLY: readonly Mode[] = ['demo'];
