import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../../src/hosts/facts.js';
import {
  checkHostFacts,
  checkInstallation,
  type PreflightOptions,
} from '../../../src/preflight/host-checks.js';
import { demo, production } from '../../support/inventories.js';

/** Preflight on measured facts: OS, hardware by role, time sync, one machine per host, clocks. */

const strict: PreflightOptions = { allowUnsupportedOs: false, allowUndersized: false };

function facts(edit: Partial<HostFacts> = {}): HostFacts {
  return {
    hostname: 'kubenode1',
    os: { id: 'ubuntu', versionId: '22.04', prettyName: 'Ubuntu 22.04.5 LTS' },
    kernel: '5.15.0',
    architecture: 'x86_64',
    cpus: 6,
    memoryGiB: 7.7, // an 8 GiB VM as MemTotal shows it
    disk: { path: '/var/lib', totalGiB: 78.1, freeGiB: 60 },
    addresses: ['192.168.122.21'],
    initSystem: 'systemd',
    timeSync: { ntpSynchronized: true, service: 'chrony' },
    procSysWritable: true,
    installedBy: undefined,
    machineId: 'a'.repeat(32),
    clockOffsetMs: 0,
    listening: [{ port: 22, program: 'sshd', cgroup: '/system.slice/ssh.service' }],
    ...edit,
  };
}

const inventory = production();
const kubenode = inventory.hosts.find((host) => host.name === 'kubenode1');
if (!kubenode) throw new Error('fixture');
const check = (measured: HostFacts, options = strict, all = new Map([['kubenode1', measured]])) =>
  checkHostFacts(inventory, kubenode, measured, all, options);
const rules = (findings: ReturnType<typeof check>) => findings.map((f) => `${f.severity} ${f.rule}`);

describe('preflight on measured facts', () => {
  it('passes a host sized exactly as Wire asks, as the kernel reports it', () => {
    expect(check(facts())).toEqual([]);
  });

  it('refuses an OS other than Ubuntu 22.04 and 24.04, unless allowed (then warns)', () => {
    const debian = facts({
      os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
    });
    const [refused] = check(debian);
    expect(refused).toMatchObject({ severity: 'error', rule: 'preflight.os', measured: 'debian 12' });
    expect(refused?.message).toContain('Ubuntu 22.04 and Ubuntu 24.04 only');
    expect(rules(check(debian, { ...strict, allowUnsupportedOs: true }))).toEqual(['warning preflight.os']);
    expect(check(facts({ os: { id: 'ubuntu', versionId: '24.04', prettyName: 'Ubuntu 24.04' } }))).toEqual(
      [],
    );
  });

  it("measures CPUs, memory and disk against the host's roles", () => {
    const small = facts({ cpus: 4, memoryGiB: 6, disk: { path: '/var/lib', totalGiB: 30, freeGiB: 20 } });
    expect(rules(check(small))).toEqual([
      'error preflight.cpus',
      'error preflight.memory',
      'error preflight.disk',
    ]);
    const [cpus] = check(small);
    expect(cpus?.message).toContain(
      'kubenode1 has 4 vCPUs; a kube-control-plane host needs at least 6 vCPUs',
    );
    expect(rules(check(small, { ...strict, allowUndersized: true }))).toEqual([
      'warning preflight.cpus',
      'warning preflight.memory',
      'warning preflight.disk',
    ]);
  });

  it('warns when no time service runs', () => {
    const findings = check(facts({ timeSync: { ntpSynchronized: false, service: undefined } }));
    expect(rules(findings)).toEqual(['warning preflight.time-sync']);
  });

  it('refuses two inventory hosts that are one machine (same machine-id)', () => {
    const one = facts();
    const findings = check(
      one,
      strict,
      new Map([
        ['kubenode1', one],
        ['kubenode2', facts()],
      ]),
    );
    expect(rules(findings)).toEqual(['error preflight.machine-id']);
    expect(findings[0]?.message).toContain('same machine-id as kubenode2');
  });

  it('compares clocks across hosts: a warning from half a second, an error from 30 s', () => {
    const others = (offset: number) =>
      new Map([
        ['kubenode1', facts({ clockOffsetMs: offset, machineId: '1' })],
        ['kubenode2', facts({ clockOffsetMs: 0, machineId: '2' })],
        ['kubenode3', facts({ clockOffsetMs: 10, machineId: '3' })],
      ]);
    const at = (offset: number) =>
      check(facts({ clockOffsetMs: offset, machineId: '1' }), strict, others(offset));
    expect(at(200)).toEqual([]);
    expect(rules(at(2_000))).toEqual(['warning preflight.clock']);
    expect(rules(at(-45_000))).toEqual(['error preflight.clock']);
    expect(at(-45_000)[0]?.message).toBe("kubenode1's clock is 45.0 s off the other hosts'");
    // Two hosts, one 300 s ahead: this machine's clock breaks the tie, the right host is named.
    const pair = (first: number, second: number) =>
      new Map([
        ['kubenode1', facts({ clockOffsetMs: first, machineId: '1' })],
        ['kubenode2', facts({ clockOffsetMs: second, machineId: '2' })],
      ]);
    expect(rules(check(facts({ clockOffsetMs: 0, machineId: '1' }), strict, pair(0, 300_000)))).toEqual([]);
    expect(rules(check(facts({ clockOffsetMs: 300_000, machineId: '1' }), strict, pair(300_000, 0)))).toEqual(
      ['error preflight.clock'],
    );
  });

  it('refuses a port a role needs when another program holds it, not when ours does', () => {
    const taken = facts({
      listening: [
        { port: 6443, program: 'nginx', cgroup: '/system.slice/nginx.service' },
        { port: 10250, program: 'kubelet', cgroup: '/system.slice/kubelet.service' },
      ],
    });
    const findings = check(taken);
    expect(rules(findings)).toEqual(['error preflight.ports']);
    expect(findings[0]?.message).toBe(
      'kubenode1: port 6443, which the Kubernetes API needs (role kube-control-plane), is already taken by nginx',
    );
  });

  it("knows our own services by the unit or pod slice they run in, whatever the program's name", () => {
    const ours = facts({
      listening: [
        // The API server as a static pod, under any program name.
        { port: 6443, program: 'kube-apiserve', cgroup: '/kubepods.slice/kubepods-burstable.slice/x.scope' },
        { port: 10250, program: 'python3', cgroup: '/system.slice/kubelet.service' },
      ],
    });
    expect(check(ours)).toEqual([]);
    // python3 alone is not a reason: on the asset host only serve-assets may hold 8080.
    const assetHost = inventory.hosts.find((host) => host.roles.includes('assethost'));
    if (!assetHost) throw new Error('fixture');
    const at8080 = (cgroup: string) =>
      checkHostFacts(
        inventory,
        assetHost,
        facts({ cpus: 8, memoryGiB: 16, listening: [{ port: 8080, program: 'python3', cgroup }] }),
        new Map(),
        strict,
      ).filter((f) => f.rule === 'preflight.ports');
    expect(at8080('/system.slice/serve-assets.service')).toEqual([]);
    expect(at8080('/user.slice/user-0.slice/session-4.scope')).toHaveLength(1);
  });

  it("a demo host's 443 and 80 must be free for the ingress hostPorts; production's nodes may serve them", () => {
    const apache = facts({
      cpus: 16,
      memoryGiB: 32,
      disk: { path: '/var/lib', totalGiB: 200, freeGiB: 180 },
      listening: [
        { port: 443, program: 'apache2', cgroup: '/system.slice/apache2.service' },
        { port: 80, program: 'apache2', cgroup: '/system.slice/apache2.service' },
      ],
    });
    const single = demo();
    const host = single.hosts[0];
    if (!host) throw new Error('fixture');
    const ports = checkHostFacts(single, host, apache, new Map(), strict).filter(
      (f) => f.rule === 'preflight.ports',
    );
    expect(ports.map((f) => f.message)).toEqual([
      "wire-demo: port 443, which the demo's ingress (HTTPS hostPort) needs (role demo), is already taken by apache2",
      "wire-demo: port 80, which the demo's ingress (HTTP hostPort) needs (role demo), is already taken by apache2",
    ]);
    expect(check(apache).filter((f) => f.rule === 'preflight.ports')).toEqual([]);
  });
});

describe('the installation mark', () => {
  it('passes an unmarked host and one marked for this domain, and stops one marked for another', () => {
    expect(checkInstallation(inventory, 'kubenode1', facts())).toEqual([]);
    expect(checkInstallation(inventory, 'kubenode1', facts({ installedBy: inventory.domain }))).toEqual([]);
    expect(checkInstallation(inventory, 'kubenode1', facts({ installedBy: 'wire.other.org' }))).toMatchObject(
      [
        {
          severity: 'error',
          rule: 'preflight.other-installation',
          measured: '/etc/wire-install/installed-by says wire.other.org',
        },
      ],
    );
  });
});
