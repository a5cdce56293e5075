import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { LAB_HOSTS } from './global-setup.js';
import { LAB_RUN, labHosts } from './lab-hosts.js';

/**
 * The lab itself: real Debian hosts with systemd as PID 1, booted by test/lab/lab.sh (from
 * test/lab/global-setup.ts), reached over real SSH with verified host keys. The engine's tests
 * (issue 3) build on this.
 */

const HOSTS = LAB_HOSTS;
const hosts = labHosts();

/** OpenSSH with the lab's key and its known_hosts: a wrong host key fails the connection. */
async function ssh(address: string, command: string) {
  return execa(
    'ssh',
    [
      '-i',
      `${LAB_RUN}/id_ed25519`,
      '-o',
      `UserKnownHostsFile=${LAB_RUN}/known_hosts`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=5',
      `root@${address}`,
      command,
    ],
    { reject: false, timeout: 20_000 },
  );
}

describe('lab: real hosts on this machine', () => {
  it('boots the hosts asked for, each with its own name and address', () => {
    expect(hosts.map((host) => host.name)).toEqual(
      Array.from({ length: HOSTS }, (_, i) => `labhost${i + 1}`),
    );
    expect(new Set(hosts.map((host) => host.address)).size).toBe(HOSTS);
  });

  it('runs systemd as PID 1 and sshd, with the identity written before boot', async () => {
    for (const host of hosts) {
      const result = await ssh(host.address, 'hostname; cat /proc/1/comm; systemctl is-active ssh');
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout.split('\n')).toEqual([host.name, 'systemd', 'active']);
    }
  });

  it('gives every host its own machine-id and host key', async () => {
    const ids = await Promise.all(hosts.map((host) => ssh(host.address, 'cat /etc/machine-id')));
    expect(new Set(ids.map((result) => result.stdout.trim())).size).toBe(HOSTS);
    const knownHosts = (await readFile(`${LAB_RUN}/known_hosts`, 'utf8')).trim().split('\n');
    expect(new Set(knownHosts.map((line) => line.split(' ')[2])).size).toBe(HOSTS);
  });

  it('refuses a host whose key is not the one recorded (verification is real)', async () => {
    const [first, second] = hosts;
    if (!first || !second) throw new Error('the lab has fewer than two hosts');
    const wrong = (await readFile(`${LAB_RUN}/known_hosts`, 'utf8')).replace(second.address, 'unused');
    const swapped = wrong.replace(first.address, second.address);
    const file = `${LAB_RUN}/known_hosts.swapped`;
    await execa('bash', ['-c', `cat > ${file}`], { input: swapped });
    const result = await execa(
      'ssh',
      [
        '-i',
        `${LAB_RUN}/id_ed25519`,
        '-o',
        `UserKnownHostsFile=${file}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        `root@${second.address}`,
        'true',
      ],
      { reject: false, timeout: 20_000 },
    );
    expect(result.exitCode).toBe(255);
    expect(result.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('has the limits the engine must design around: /proc/sys is read-only', async () => {
    const result = await ssh(hosts[0]?.address ?? '', 'echo 1 > /proc/sys/net/ipv4/ip_forward');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('Read-only file system');
  });

  it('writes an inventory of its hosts that wire-install accepts', async () => {
    const text = await readFile(`${LAB_RUN}/inventory.yaml`, 'utf8');
    for (const host of hosts) expect(text).toContain(`name: ${host.name}, address: ${host.address}`);
    const plan = await runCli(['apply', '--plan', '--offline', '--json', '-i', `${LAB_RUN}/inventory.yaml`]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stderr).toBe(''); // not even a warning against Wire's rules
  });

  it('has an apt repository on each host, and no other source', async () => {
    const result = await ssh(
      hosts[0]?.address ?? '',
      'cat /srv/lab-apt/Packages; wc -c < /etc/apt/sources.list; ls /etc/apt/sources.list.d | wc -l',
    );
    for (const name of ['wil-hello', 'chrony', 'postgresql', 'rabbitmq-server'])
      expect(result.stdout).toContain(`Package: ${name}\n`);
    expect(result.stdout).toMatch(/\n0\n0$/); // execa drops the last newline
  });
});
