import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Output } from '../core/output.js';
import type { TrustedHostKey } from '../hosts/ssh-host.js';
import { TRUST_FILE, TrustStore } from '../hosts/trust-on-first-use.js';
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
  /**
   * false: a key trusted on first use is not recorded (doctor: a diagnosis must not vouch for a
   * key nobody checked, or its warning would be gone on the next run). Default true.
   */
  recordFirstSeenKeys?: boolean;
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
  const recording = options.recordFirstSeenKeys ?? true;
  // Not recording: the store is a private copy, read like the real one and thrown away.
  const scratch = recording ? undefined : await mkdtemp(join(tmpdir(), 'wire-install-trust-'));
  if (scratch)
    await copyFile(join(options.stateDir, TRUST_FILE), join(scratch, TRUST_FILE)).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      },
    );
  const store = await TrustStore.open(scratch ?? options.stateDir);
  const recordedIn = scratch ? 'nowhere (not recorded)' : relative(process.cwd(), store.path) || store.path;
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
  const connected = await connectHosts(ssh.targets, {
    knownHosts: ssh.knownHosts.entries,
    knownHostsFiles: ssh.knownHosts.files,
    trustFor: (host) => (options.trustOnFirstUse && !ssh.strictHosts.has(host) ? trust : undefined),
    concurrency: options.concurrency,
    log: options.log,
    emit: options.emit,
    signal: options.signal,
  });
  if (!scratch) return connected;
  return {
    ...connected,
    closeAll: () => {
      connected.closeAll();
      void rm(scratch, { recursive: true, force: true });
    },
  };
}
