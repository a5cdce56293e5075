import { relative } from 'node:path';
import type { Output } from '../core/output.js';
import type { TrustedHostKey } from '../hosts/ssh-host.js';
import { TrustStore } from '../hosts/trust-on-first-use.js';
import type { Host } from '../inventory/defaults.js';
import type { InventoryInput } from '../inventory/schema.js';
import { type ConnectedHosts, connectHosts } from './connect-hosts.js';
import type { DebugLog } from './debug-log.js';
import type { EmitEvent } from './events.js';
import { resolveSshSettings } from './ssh-settings.js';
import { sshTarget } from './targets.js';

/**
 * Connects to the given inventory hosts the way every command does (apply, doctor): targets
 * from the inventory, ~/.ssh/config filling what the inventory leaves unset, the user's
 * known_hosts plus wire-install's trust-on-first-use store beside the inventory.
 */
export interface OpenConnectionsOptions {
  hosts: readonly Host[];
  inventoryDir: string;
  inventoryInput: InventoryInput;
  stateDir: string;
  becomePassword: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Trust a host key seen for the first time (recorded), unless the host's ssh_config says strict. */
  trustOnFirstUse: boolean;
  concurrency: number;
  log: DebugLog;
  emit: EmitEvent;
  output: Output;
  signal: AbortSignal;
}

export async function openConnections(options: OpenConnectionsOptions): Promise<ConnectedHosts> {
  const baseTargets = options.hosts.map((host) =>
    sshTarget(host, options.inventoryDir, options.becomePassword),
  );
  const ssh = await resolveSshSettings(options.hosts, options.inventoryInput, baseTargets, options.env);
  for (const note of ssh.notes) options.output.warn(note);
  const store = await TrustStore.open(options.stateDir);
  const recordedIn = relative(process.cwd(), store.path) || store.path;
  const trust = {
    store,
    onTrusted: (key: TrustedHostKey) =>
      options.emit({
        type: 'host-key-trusted',
        host: key.host,
        address: key.address,
        keyType: key.keyType,
        fingerprint: key.fingerprint,
        recordedIn,
      }),
  };
  return connectHosts(ssh.targets, {
    knownHosts: ssh.knownHosts.entries,
    knownHostsFiles: ssh.knownHosts.files,
    trustFor: (host) => (options.trustOnFirstUse && !ssh.strictHosts.has(host) ? trust : undefined),
    concurrency: options.concurrency,
    log: options.log,
    emit: options.emit,
    signal: options.signal,
  });
}
