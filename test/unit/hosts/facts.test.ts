import { describe, expect, it } from 'vitest';
import { parseFacts, parseListening } from '../../../src/hosts/facts.js';

describe('parseFacts', () => {
  it('turns the script output into facts, in GiB', () => {
    const facts = parseFacts(
      [
        'hostname=kubenode1',
        'os.id=ubuntu',
        'os.version_id=22.04',
        'os.pretty_name=Ubuntu 22.04.4 LTS',
        'kernel=5.15.0-100-generic',
        'arch=x86_64',
        'cpus=6',
        'mem_kib=8152000',
        'disk_total_kib=83886080',
        'disk_free_kib=41943040',
        'addresses=192.168.122.21 10.233.64.1 ',
        'init=systemd',
        'ntp_synchronized=yes',
        'time_service=chrony',
        'proc_sys_writable=yes',
        'installed_by=0.1.0',
      ].join('\n'),
    );
    expect(facts).toMatchObject({
      hostname: 'kubenode1',
      os: { id: 'ubuntu', versionId: '22.04' },
      cpus: 6,
      memoryGiB: 7.8,
      disk: { totalGiB: 80, freeGiB: 40 },
      addresses: ['192.168.122.21', '10.233.64.1'],
      timeSync: { ntpSynchronized: true, service: 'chrony' },
      procSysWritable: true,
      installedBy: '0.1.0',
    });
  });

  it('leaves what the host did not say undefined instead of guessing', () => {
    const facts = parseFacts('hostname=h\nntp_synchronized=\ninstalled_by=\nproc_sys_writable=no\n');
    expect(facts.timeSync).toEqual({ ntpSynchronized: undefined, service: undefined });
    expect(facts.installedBy).toBeUndefined();
    expect(facts.procSysWritable).toBe(false);
    expect(Number.isNaN(facts.cpus)).toBe(true);
  });
});

describe('listening ports in the facts', () => {
  it('reads port:program:cgroup entries, one per port, sorted', () => {
    expect(
      parseListening(
        '22:sshd:/system.slice/ssh.service 5432:postgres:/system.slice/system-postgresql.slice/postgresql@15-main.service 22:sshd: 4369:epmd: ',
      ),
    ).toEqual([
      { port: 22, program: 'sshd', cgroup: '/system.slice/ssh.service' },
      { port: 4369, program: 'epmd', cgroup: '' },
      {
        port: 5432,
        program: 'postgres',
        cgroup: '/system.slice/system-postgresql.slice/postgresql@15-main.service',
      },
    ]);
  });
});
