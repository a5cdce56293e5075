import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connectLabHost, type LabHost } from './lab-hosts.js';

const LAB = fileURLToPath(new URL('./lab.sh', import.meta.url));

/** The lab's number of a host (labhost3 is 3), as lab.sh takes it. */
export const labNumber = (host: LabHost): string => {
  const number = /^labhost(\d+)$/.exec(host.name)?.[1];
  if (!number) throw new Error(`${host.name} is not a lab host name`);
  return number;
};

/**
 * Puts lab hosts back as booted, for the next test file or test: `lab.sh reset` switches them off,
 * gives each a fresh disk from the base image with its own identity (name, machine-id, SSH host
 * key: known_hosts stays true) and boots them, all at once (about 4 s for five hosts). Then each
 * host's boot is waited for (`systemctl is-system-running --wait`), so a test never races units
 * that are still starting. Whatever a test installed, edited or stopped is gone.
 */
export async function freshHosts(hosts: readonly LabHost[]): Promise<void> {
  if (hosts.length === 0) return;
  await promisify(execFile)('bash', [LAB, 'reset', ...hosts.map(labNumber)], { timeout: 120_000 });
  await Promise.all(
    hosts.map(async (host) => {
      const ssh = await connectLabHost(host);
      try {
        // Exit 1 for "degraded" (a unit of the base image that cannot run in a container) is fine:
        // the boot is over either way.
        await ssh.exec('systemctl is-system-running --wait');
      } finally {
        ssh.close();
      }
    }),
  );
}
