import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type HostFacts, LISTENING_AWK, parseListening } from '../../../src/hosts/facts.js';
import { checkHostFacts, type PreflightOptions } from '../../../src/preflight/host-checks.js';
import { production } from '../../support/inventories.js';

/**
 * Who holds a port, from `ss -Hltnp` as a host prints it: the facts script's awk run by the real
 * awk on real ss line shapes, then preflight's verdict. Right after a reboot, a child systemd has
 * forked and not yet exec-ed, named in parentheses, holds systemd's sockets for a moment: it is
 * not the owner (issue 15: "port 4369 already taken by (agetty").
 */

const SS_LINES = [
  // epmd.socket after a reboot: systemd (pid 1) holds it, and a forked getty child for a moment.
  'LISTEN 0      4096         0.0.0.0:4369       0.0.0.0:*    users:(("(agetty)",pid=812,fd=52),("systemd",pid=1,fd=52))',
  'LISTEN 0      4096            [::]:4369          [::]:*    users:(("systemd",pid=1,fd=53),("(agetty)",pid=812,fd=53))',
  'LISTEN 0      128          0.0.0.0:22         0.0.0.0:*    users:(("sshd",pid=700,fd=3))',
  // Only the forked child visible (its parent in another pid namespace).
  'LISTEN 0      4096      127.0.0.1:9042       0.0.0.0:*    users:(("(sd-exec-)",pid=813,fd=7))',
  // No users: ss run without the right to see the process.
  'LISTEN 0      244       127.0.0.1:5432       0.0.0.0:*',
].join('\n');

function listeningFromSs(lines: string) {
  return parseListening(execFileSync('awk', [LISTENING_AWK], { input: `${lines}\n` }).toString());
}

describe('the facts script reads the holder of each listening socket from ss', () => {
  it('takes the first holder that is not in parentheses, and keeps one only when no other is there', () => {
    const sockets = listeningFromSs(SS_LINES);
    const program = (port: number) => sockets.find((socket) => socket.port === port)?.program;
    expect(program(4369)).toBe('systemd');
    expect(program(22)).toBe('sshd');
    expect(program(9042)).toBe('(sd-exec-)');
    expect(program(5432)).toBe('');
    // pid 1's cgroup is read from /proc (whatever this machine's is), the child's is not.
    const ownCgroup = sockets.find((socket) => socket.port === 4369)?.cgroup;
    expect(ownCgroup).not.toBe(undefined);
  });
});

const strict: PreflightOptions = { allowUnsupportedOs: false, allowUndersized: false };
const inventory = production();
const datanode = inventory.hosts.find((host) => host.roles.includes('rabbitmq'));
if (!datanode) throw new Error('fixture: no rabbitmq host');

function facts(listening: HostFacts['listening']): HostFacts {
  return {
    hostname: datanode?.name ?? '',
    os: { id: 'ubuntu', versionId: '22.04', prettyName: 'Ubuntu 22.04.5 LTS' },
    kernel: '5.15.0',
    architecture: 'x86_64',
    cpus: 64,
    memoryGiB: 256,
    disk: { path: '/var/lib', totalGiB: 2000, freeGiB: 2000 },
    addresses: [datanode?.address ?? ''],
    initSystem: 'systemd',
    timeSync: { ntpSynchronized: true, service: 'chrony' },
    procSysWritable: true,
    installedBy: undefined,
    machineId: 'a'.repeat(32),
    clockOffsetMs: 0,
    listening,
  };
}

const portFindings = (listening: HostFacts['listening']) => {
  const measured = facts(listening);
  return checkHostFacts(inventory, datanode, measured, new Map([[datanode.name, measured]]), strict).filter(
    (finding) => finding.rule === 'preflight.ports',
  );
};

describe("preflight's port check after a reboot", () => {
  it('epmd.socket held by systemd (pid 1, with its forked child) is ours, not "taken"', () => {
    expect(portFindings([{ port: 4369, program: 'systemd', cgroup: '/init.scope' }])).toEqual([]);
  });

  it('a forked child seen alone is said to hold the port for a moment: a warning, not a refusal', () => {
    const findings = portFindings([{ port: 4369, program: '(agetty)', cgroup: '' }]);
    expect(findings.map((f) => f.severity)).toEqual(['warning']);
    expect(findings[0]?.message).toContain('a process systemd was starting');
    // ss cuts names at 15 characters: "(agetty" without its closing parenthesis is the same.
    expect(
      portFindings([{ port: 4369, program: '(systemd-getty-', cgroup: '' }]).map((f) => f.severity),
    ).toEqual(['warning']);
  });

  it('a real other program on the port is still refused', () => {
    const findings = portFindings([{ port: 4369, program: 'nc', cgroup: '/user.slice/session-3.scope' }]);
    expect(findings.map((f) => f.severity)).toEqual(['error']);
    expect(findings[0]?.message).toContain('is already taken by nc');
  });
});
