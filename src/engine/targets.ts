import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { SshTarget } from '../hosts/types.js';
import type { Host, Inventory } from '../inventory/defaults.js';

/**
 * The SSH target of an inventory host: its resolved ssh settings (host overrides, then the
 * top-level ones, then defaults; inventory.ts), key files relative to the inventory's folder,
 * and the sudo password from secrets.yaml when the inventory says sudo asks for one.
 */
export function expandPath(path: string, baseDir: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

export function sshTarget(host: Host, baseDir: string, becomePassword: string | undefined): SshTarget {
  const { ssh } = host;
  return {
    name: host.name,
    address: host.address,
    port: ssh.port,
    user: ssh.user,
    keepalive: ssh.keepalive,
    ...(ssh.identityFile ? { identityFile: expandPath(ssh.identityFile, baseDir) } : {}),
    become: {
      enabled: ssh.become.enabled,
      ...(ssh.become.password && becomePassword !== undefined ? { password: becomePassword } : {}),
    },
    ...(ssh.bastion
      ? {
          bastion: {
            name: `${host.name} (bastion ${ssh.bastion.address})`,
            address: ssh.bastion.address,
            port: ssh.bastion.port,
            user: ssh.bastion.user,
            ...(ssh.bastion.identityFile
              ? { identityFile: expandPath(ssh.bastion.identityFile, baseDir) }
              : {}),
          },
        }
      : {}),
  };
}

/** Hosts in inventory order that any step of the run uses. */
export function hostsInUse(inventory: Inventory, used: ReadonlySet<string>): Host[] {
  return inventory.hosts.filter((host) => used.has(host.name));
}
