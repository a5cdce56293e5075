import type { StepHost } from '../engine/types.js';
import type { StepCondition } from '../inventory/conditions.js';
import type { Inventory } from '../inventory/defaults.js';
import type { Operation } from '../operations/types.js';
import type { PreflightOptions } from '../preflight/host-checks.js';
import type { WireSecrets } from '../secrets/generate.js';
import type { ToolChoice } from '../tools/admin-tools.js';
import type { StageId } from './stages.js';
import type { Mode, StepOrder, StepTarget } from './types.js';

/**
 * A step of `apply`, whole in one object: what it does, where and in which order it runs, why
 * Wire needs it, what it needs before it can run, and its operations. `defineStep` is the only
 * way to make one, so a step without operations cannot be written; a stage's index.ts lists its
 * steps in order and src/steps/registry.ts lists the stages.
 */

/** What every step's operations may read besides the inventory. */
export interface WireStageOptions extends PreflightOptions {
  /** secrets.yaml, needed by the steps that configure the databases; undefined when absent. */
  secrets: WireSecrets | undefined;
  /** Where secrets.yaml was looked for, for the message when a step needs it. */
  secretsPath: string;
  /** The inventory's folder: the admin kubeconfig goes in .wire-install/ beside it. */
  inventoryDir: string;
  /** --dns-server: the DNS server preflight asks for Wire's names; undefined: the system's. */
  dnsServer: string | undefined;
  /** The unpacked offline bundle on the admin host (bundle.path resolved); undefined when not set. */
  bundleRoot: string | undefined;
  /** --helm-timeout: how long each `helm upgrade --wait` may take (a helm duration); default 15m. */
  helmTimeout?: string;
  /** Which helm and kubectl the admin host's commands use, filled when the run prepares them (src/tools). */
  adminTools?: { choices?: ToolChoice[] };
}

/**
 * What a step can need that a run may not have. A step that needs one is refused, with the
 * reason, before any host is contacted when it is missing; its operations receive it typed as
 * present, so they never check for it themselves.
 * - `secrets`: secrets.yaml (passwords, keys);
 * - `bundle`: bundle.path in the inventory (the unpacked offline bundle).
 */
export type StepNeed = 'secrets' | 'bundle';

/** The options a step's operations receive: what it `needs` is there. */
export type StepOptions<N extends StepNeed> = WireStageOptions &
  ('secrets' extends N ? { secrets: WireSecrets } : unknown) &
  ('bundle' extends N ? { bundleRoot: string } : unknown);

interface StepFields<Id extends string> {
  /** `<stage>.<name>`, kebab case. Unique within a mode (chart steps share an id across modes). */
  id: Id;
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
  /** A check: runs on every apply, whatever its checkpoint says. */
  alwaysRun?: boolean;
  /** Moves large files (image seeding): runs under the engine's lower upload limit. */
  upload?: boolean;
}

/** What `defineStep` is given. */
export interface StepSpec<Id extends string, N extends StepNeed> extends StepFields<Id> {
  needs?: readonly N[];
  /** Checked on the admin host before any host is contacted (the bundle check). */
  beforeConnect?: (inventory: Inventory, options: StepOptions<N>) => Promise<void>;
  /** The step's operations on one host, in order; built from facts, never contacting the host. */
  operations: (inventory: Inventory, host: StepHost, options: StepOptions<N>) => Operation[];
}

/** A step as the plan, the engine, doctor and upgrade see it. */
export interface WireStep<Id extends string = string> extends StepFields<Id> {
  needs: readonly StepNeed[];
  beforeConnect?: (inventory: Inventory, options: WireStageOptions) => Promise<void>;
  operations: (inventory: Inventory, host: StepHost, options: WireStageOptions) => Operation[];
}

/** Why a step cannot run with these options (a need missing), or undefined when it can. */
export function missingNeed(
  step: WireStep,
  inventory: Inventory,
  options: WireStageOptions,
): string | undefined {
  if (step.needs.includes('bundle') && !inventory.bundle.path)
    return 'needs bundle.path in the inventory (the unpacked offline bundle)';
  if (step.needs.includes('secrets') && !options.secrets)
    return `needs ${options.secretsPath}, which does not exist (wire-install init writes it)`;
  return undefined;
}

/**
 * The options narrowed to what the step needs. The engine never runs a step whose need is
 * missing (missingNeed makes it unavailable), so reaching the throw is a bug in wire-install.
 */
function narrowed<N extends StepNeed>(step: WireStep, options: WireStageOptions): StepOptions<N> {
  if (step.needs.includes('secrets') && !options.secrets)
    throw new Error(`engine: ${step.id} needs ${options.secretsPath} and ran without it`);
  if (step.needs.includes('bundle') && !options.bundleRoot)
    throw new Error(`engine: ${step.id} needs the bundle and ran without bundle.path`);
  return options as StepOptions<N>;
}

export function defineStep<const Id extends string, N extends StepNeed = never>(
  spec: StepSpec<Id, N>,
): WireStep<Id> {
  const { needs = [], beforeConnect, operations, ...fields } = spec;
  const step: WireStep<Id> = {
    ...fields,
    needs,
    operations: (inventory, host, options) => operations(inventory, host, narrowed<N>(step, options)),
  };
  if (beforeConnect)
    step.beforeConnect = (inventory, options) => beforeConnect(inventory, narrowed<N>(step, options));
  return step;
}
