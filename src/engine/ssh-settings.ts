import { homedir } from 'node:os';
import {
  knownHostsFiles,
  loadKnownHostsFiles,
  loadSshConfig,
  type ResolvedSshConfig,
} from '../hosts/ssh-config.js';
import type { KnownHostsSource } from '../hosts/trust-on-first-use.js';
import type { SshTarget } from '../hosts/types.js';
import type { Host } from '../inventory/defaults.js';
import type { InventoryInput } from '../inventory/schema.js';
import { expandPath } from './targets.js';

/**
 * The user's ~/.ssh/config applied to the inventory's targets, with the precedence
 * ssh-config.ts documents: what the inventory file says (not its defaults) wins, then
 * ssh_config, then wire-install's defaults. Matched against the host's address, which is what
 * wire-install connects to. Also gathers the known_hosts files ssh would read for each host.
 */
export interface SshSettings {
  targets: SshTarget[];
  knownHosts: KnownHostsSource;
  /** Hosts whose ssh_config says StrictHostKeyChecking yes: no trust on first use for them. */
  strictHosts: Set<string>;
  /** ssh_config settings that were present but not applied, to show as warnings. */
  notes: string[];
}

function explicit(input: InventoryInput, hostName: string) {
  const host = input.hosts.find((candidate) => candidate.name === hostName);
  const pick = <K extends 'user' | 'port' | 'identityFile' | 'bastion'>(key: K) =>
    host?.ssh?.[key] !== undefined || input.ssh?.[key] !== undefined;
  return {
    user: pick('user'),
    port: pick('port'),
    identityFile: pick('identityFile'),
    bastion: pick('bastion'),
  };
}

function applyConfig(
  target: SshTarget,
  config: ResolvedSshConfig,
  set: ReturnType<typeof explicit>,
): SshTarget {
  const next: SshTarget = { ...target };
  if (config.hostName) next.address = config.hostName;
  if (!set.user && config.user) next.user = config.user;
  if (!set.port && config.port) next.port = config.port;
  if (!set.identityFile && config.identityFiles[0]) next.identityFile = config.identityFiles[0];
  if (!set.bastion && config.proxyJump) {
    next.bastion = {
      name: `${target.name} (ProxyJump ${config.proxyJump.host})`,
      address: config.proxyJump.host,
      port: config.proxyJump.port ?? 22,
      user: config.proxyJump.user ?? next.user,
      ...(next.identityFile ? { identityFile: next.identityFile } : {}),
    };
  }
  return next;
}

export async function resolveSshSettings(
  hosts: readonly Host[],
  input: InventoryInput,
  baseTargets: readonly SshTarget[],
  env: NodeJS.ProcessEnv,
): Promise<SshSettings> {
  const home = env.HOME ?? homedir();
  const files = new Set<string>();
  const strictHosts = new Set<string>();
  const notes: string[] = [];
  const targets: SshTarget[] = [];
  for (const [index, host] of hosts.entries()) {
    const base = baseTargets[index] as SshTarget;
    const config = await loadSshConfig(host.address, { home });
    for (const file of knownHostsFiles(config, home)) files.add(expandPath(file, home));
    if (!config) {
      targets.push(base);
      continue;
    }
    if (config.strictHostKeyChecking === 'yes') strictHosts.add(host.name);
    if (config.proxyCommand)
      notes.push(
        `${host.name}: ssh_config ProxyCommand is not supported; set ssh.bastion in the inventory instead`,
      );
    notes.push(...config.notes.map((note) => `${host.name}: ${note}`));
    targets.push(applyConfig(base, config, explicit(input, host.name)));
  }
  const loaded = await loadKnownHostsFiles([...files]);
  return { targets, knownHosts: { entries: loaded.entries, files: loaded.files }, strictHosts, notes };
}
