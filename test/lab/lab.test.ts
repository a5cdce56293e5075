import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { LAB_RUN, labHostCount, labHosts, labSlot, SLOT_HOSTS, spareLabHost } from './lab-hosts.js';

/**
 * The lab itself: real Debian hosts with systemd as PID 1, booted by test/lab/lab.sh (from
 * test/lab/global-setup.ts), reached over real SSH with verified host keys. The engine's tests
 * (issue 3) build on this.
 */

const hosts = labHosts();
/** The addresses of every host of the lab, in every slot. */
const everyAddress = () =>
  readFileSync(`${LAB_RUN}/hosts`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[1]);

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
  it("boots the hosts asked for, each with its own name and address, and gives this file its slot's", () => {
    // Slot N: six hosts from labhost(6N-5), the sixth one the spare.
    const first = (labSlot() - 1) * (SLOT_HOSTS + 1) + 1;
    expect([...hosts, spareLabHost()].map((host) => host.name)).toEqual(
      Array.from({ length: SLOT_HOSTS + 1 }, (_, i) => `labhost${first + i}`),
    );
    // Every host of the lab (all slots) has an address of its own.
    const addresses = everyAddress();
    expect(addresses.length).toBeGreaterThanOrEqual(labHostCount());
    expect(new Set(addresses).size).toBe(addresses.length);
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
    expect(new Set(ids.map((result) => result.stdout.trim())).size).toBe(hosts.length);
    const knownHosts = (await readFile(`${LAB_RUN}/known_hosts`, 'utf8')).trim().split('\n');
    expect(new Set(knownHosts.map((line) => line.split(' ')[2])).size).toBe(everyAddress().length);
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
