import type { StepHost } from '../../engine/types.js';
import type { Inventory } from '../../inventory/defaults.js';
import type { Operation } from '../../operations/types.js';
import type { PreflightOptions } from '../../preflight/host-checks.js';
import type { WireSecrets } from '../../secrets/generate.js';
import type { ToolChoice } from '../../tools/admin-tools.js';

/** What every Wire step implementation may read besides the inventory. */
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

/** The operations of one plan step, and what the step needs before it can run. */
export interface Implementation {
  /** Checked on the admin host before any host is contacted (see EngineStep.beforeConnect). */
  beforeConnect?: (inventory: Inventory, options: WireStageOptions) => Promise<void>;
  /** Needs bundle.path in the inventory: unavailable without it. */
  needsBundle?: boolean;
  operations: (inventory: Inventory, host: StepHost, options: WireStageOptions) => Operation[];
  /** Reads secrets.yaml (passwords, keys): unavailable without it. */
  needsSecrets?: boolean;
  /** Checks run on every apply, whatever their checkpoint says. */
  alwaysRun?: boolean;
  /** Moves large files (image seeding): runs under the engine's lower upload limit (EngineStep.upload). */
  upload?: boolean;
}

/** Only called for steps marked needsSecrets, which are unavailable without the file. */
export function needSecrets(options: WireStageOptions): WireSecrets {
  if (options.secrets) return options.secrets;
  throw new Error(`engine: a step that needs ${options.secretsPath} ran without it`);
}

/** Only called for steps marked needsBundle, which are unavailable without bundle.path. */
export function needBundle(options: WireStageOptions): string {
  if (options.bundleRoot) return options.bundleRoot;
  throw new Error('engine: a step that needs the bundle ran without bundle.path');
}
