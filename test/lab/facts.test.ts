import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherFacts, type HostFacts } from '../../src/hosts/facts.js';
import type { RemoteHost } from '../../src/hosts/types.js';
import { connectLabHost, labHosts } from './lab-hosts.js';

/** Facts from a real lab host, compared with what this machine measures of the same kernel. */

const [first] = labHosts();
if (!first) throw new Error('the lab has no host');
let host: RemoteHost;
let facts: HostFacts;

beforeAll(async () => {
  host = await connectLabHost(first);
  facts = await gatherFacts(host);
});
afterAll(() => host.close());

describe('facts of a lab host, in one round trip', () => {
  it('names the host, its OS and its init system', () => {
    expect(facts.hostname).toBe(first.name);
    expect(facts.os).toMatchObject({ id: 'debian', versionId: '12' });
    expect(facts.initSystem).toBe('systemd');
    expect(facts.addresses).toEqual([first.address]);
  });

  it('measures CPUs and memory as the kernel reports them (the lab shares this machine’s)', () => {
    expect(facts.cpus).toBe(Number(execFileSync('nproc').toString()));
    const memKib = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    expect(facts.memoryGiB).toBeCloseTo(memKib / 1024 / 1024, 1);
    expect(facts.disk.totalGiB).toBeGreaterThan(0);
    expect(facts.disk.freeGiB).toBeLessThanOrEqual(facts.disk.totalGiB);
  });

  it('reports /proc/sys read-only in the lab, and nothing installed yet', () => {
    expect(facts.procSysWritable).toBe(false);
    expect(facts.installedBy).toBeUndefined();
  });

  it('lists the listening ports with their programs (sshd on 22), its machine-id and clock', () => {
    // With the systemd unit it runs in, read from its cgroup: how preflight knows our own services.
    expect(facts.listening).toContainEqual({
      port: 22,
      program: 'sshd',
      cgroup: '/system.slice/ssh.service',
    });
    expect(facts.machineId).toMatch(/^[0-9a-f]{32}$/);
    // The lab shares this machine's clock: the offset is within the round trip.
    expect(Math.abs(facts.clockOffsetMs)).toBeLessThan(1_000);
  });
});
