import type { DoctorContext } from '../../../src/doctor/types.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import type { Inventory } from '../../../src/inventory/defaults.js';
import type { StepId } from '../../../src/steps/registry.js';

/**
 * A DoctorContext for checks that need no inventory host (dns, certs): nothing connected, no
 * state file. `admin` is never used by those checks (they ask DNS and open TLS from this
 * process), so it is a host that throws if anything calls it.
 */
const untouchedAdmin = new Proxy({} as RemoteHost, {
  get(_target, property) {
    throw new Error(`the dns and certs checks do not use the admin host (called ${String(property)})`);
  },
});

export function adminOnlyContext(
  inventory: Inventory,
  options: {
    inventoryDir?: string;
    dnsServer?: string;
    env?: NodeJS.ProcessEnv;
    succeededSteps?: StepId[];
  } = {},
): DoctorContext {
  const inventoryDir = options.inventoryDir ?? '/nonexistent';
  return {
    inventory,
    inventoryDir,
    inventoryFile: `${inventoryDir}/inventory.yaml`,
    secrets: undefined,
    secretsPath: `${inventoryDir}/secrets.yaml`,
    dnsServer: options.dnsServer,
    bundleRoot: undefined,
    admin: untouchedAdmin,
    hosts: new Map(),
    facts: new Map(),
    unreachable: new Map(),
    newHostKeys: new Map(),
    preflight: { allowUnsupportedOs: false, allowUndersized: false },
    installed: { succeededSteps: new Set(options.succeededSteps ?? []), kubeconfig: undefined },
    signal: new AbortController().signal,
    env: options.env ?? {},
  };
}
