import { connectLabHost, type LabHost } from './lab-hosts.js';

/**
 * Puts lab hosts back as booted for the lab play: no wil-hello (package, service, files), no
 * wilhello user, no persisted sysctl, no lab apt source. Tests that run the play start here.
 */
export const RESET_LAB_PLAY = [
  'systemctl disable --now wil-hello.service >/dev/null 2>&1 || true',
  'systemctl stop wil-slow.service >/dev/null 2>&1; systemctl reset-failed wil-slow.service >/dev/null 2>&1 || true',
  'rm -f /etc/systemd/system/wil-hello.service && systemctl daemon-reload',
  'DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq wil-hello >/dev/null 2>&1 || true',
  'rm -f /etc/apt/sources.list.d/wire-install-lab.list',
  'rm -rf /var/lib/apt/lists/_srv_lab-apt* /etc/wil-hello /etc/wil-lab-motd /var/lib/wil-lab',
  'rm -f /etc/sysctl.d/60-wil-lab.conf /etc/wil-bench.txt /var/tmp/wil-bench.sum',
  'userdel -r wilhello >/dev/null 2>&1 || true',
  'groupdel wilhello >/dev/null 2>&1 || true',
].join('\n');

export async function resetLabPlay(hosts: readonly LabHost[]): Promise<void> {
  await Promise.all(
    hosts.map(async (host) => {
      const ssh = await connectLabHost(host);
      try {
        const result = await ssh.exec('sh -s', { stdin: RESET_LAB_PLAY });
        if (result.exitCode !== 0) throw new Error(`${host.name}: reset failed: ${result.stderr}`);
      } finally {
        ssh.close();
      }
    }),
  );
}
