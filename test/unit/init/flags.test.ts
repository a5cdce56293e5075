import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInitFlags } from '../../../src/commands/init.js';
import { isWireInstallError } from '../../../src/core/errors.js';
import { completeAnswers } from '../../../src/init/complete-answers.js';
import { presetAnswers } from '../../../src/init/flags.js';
import { parseHostSpec } from '../../../src/init/host-spec.js';

/** Commander hands run() camelCase keys; these tests pass the same shape, parsed as the command does. */
const DEMO = {
  mode: 'demo',
  domain: 'wire.example.com',
  certificates: 'self-signed',
  host: ['name=wire,address=192.168.122.10,cpus=16,memory=24,disk=250'],
};

const PRODUCTION_HOSTS = [
  'name=kubenode1,address=192.168.122.21,roles=kube-control-plane+kube-worker',
  'name=kubenode2,address=192.168.122.22,roles=kube-control-plane+kube-worker+sftd',
  'name=kubenode3,address=192.168.122.23,roles=kube-control-plane+kube-worker+coturn',
  'name=datanode1,address=192.168.122.31,roles=cassandra+elasticsearch+minio+postgresql+rabbitmq',
];

async function answers(options: Record<string, unknown>, cwd = tmpdir()) {
  return completeAnswers(await presetAnswers(parseInitFlags(options), cwd));
}

/** The input error (exit 2) an answer set raises, as "what" text. */
async function refusal(options: Record<string, unknown>, cwd = tmpdir()): Promise<string> {
  try {
    await answers(options, cwd);
  } catch (error) {
    if (!isWireInstallError(error)) throw error;
    expect(error.exitCode).toBe(2);
    return `${error.what}\n${error.next ?? ''}`;
  }
  throw new Error('expected the answers to be refused');
}

describe('flags -> answers', () => {
  it('reads a demo from flags, with calling defaults (coturn on, SFT off)', async () => {
    expect(await answers(DEMO)).toEqual({
      mode: 'demo',
      domain: 'wire.example.com',
      certificates: 'self-signed',
      hosts: [{ name: 'wire', address: '192.168.122.10', roles: [], cpus: 16, memoryGiB: 24, diskGiB: 250 }],
      sft: false,
      coturn: true,
    });
  });

  it('reads a production setup with cert-manager, SSH, bastion, sudo and calling', async () => {
    const result = await answers({
      mode: 'production',
      domain: 'wire.example.com',
      certificates: 'cert-manager',
      certEmail: 'certmaster@example.com',
      certStaging: true,
      sshUser: 'wire',
      sshPort: '2222',
      bastion: 'jump.example.com',
      bastionPort: '22',
      sudo: 'password',
      bundle: './bundle',
      sft: true,
      sftParticipants: '100',
      coturn: false,
      host: PRODUCTION_HOSTS,
    });
    expect(result).toMatchObject({
      sshPort: 2222,
      bastionPort: 22,
      sudo: 'password',
      sftParticipants: 100,
      coturn: false,
    });
    expect(result.hosts.map((host) => host.name)).toEqual([
      'kubenode1',
      'kubenode2',
      'kubenode3',
      'datanode1',
    ]);
    expect(result.hosts[1]?.roles).toEqual(['kube-control-plane', 'kube-worker', 'sftd']);
  });

  it.each([
    ['--mode', { ...DEMO, mode: undefined }],
    ['--domain', { ...DEMO, domain: undefined }],
    ['--certificates', { ...DEMO, certificates: undefined }],
    ['--host', { ...DEMO, host: undefined }],
    ['--cert-chain', { ...DEMO, certificates: 'bring-your-own', certKey: 'key.pem' }],
    ['--cert-key', { ...DEMO, certificates: 'bring-your-own', certChain: 'chain.pem' }],
    ['--cert-email', { ...DEMO, certificates: 'cert-manager' }],
  ])('a missing %s is an input error naming the flag', async (flag, options) => {
    const message = await refusal(options);
    expect(message).toContain(`missing ${flag}`);
  });

  it.each([
    ['--domain', { domain: 'Wire.Example.com' }, 'lower case'],
    ['--domain', { domain: 'localhost' }, 'at least two labels'],
    ['--mode', { mode: 'staging' }, 'demo, production'],
    ['--cert-email', { certificates: 'cert-manager', certEmail: 'nobody' }, 'e-mail'],
    ['--ssh-port', { sshPort: '70000' }, '1 to 65535'],
    ['--ssh-port', { sshPort: 'ssh' }, 'must be a number'],
    ['--sudo', { sudo: 'maybe' }, 'none, passwordless, password'],
    ['--host', { host: ['name=Wire,address=192.168.122.10'] }, 'lower-case hostname'],
    ['--host', { host: ['address=192.168.122.10'] }, 'name= is missing'],
    [
      '--host',
      { host: ['name=wire,address=192.168.122.10,roles=kube-master'] },
      'unknown role "kube-master"',
    ],
    ['--host', { host: ['name=wire,address=192.168.122.10,memory=lots'] }, 'memory must be a number'],
    ['--host', { host: ['name=wire,adress=192.168.122.10'] }, 'unknown key "adress"'],
    [
      '--host',
      { host: ['name=wire,address=10.233.1.5'] },
      "inside Kubernetes' service network 10.233.0.0/18",
    ],
    ['--host', { host: ['name=wire,address=127.0.0.1'] }, 'a loopback address'],
  ])('a bad %s value is refused with the reason', async (flag, change, reason) => {
    const message = await refusal({ ...DEMO, ...change });
    expect(message).toContain(flag);
    expect(message).toContain(reason);
  });

  it('refuses a duplicate host address or name, naming the host that has it', async () => {
    const address = await refusal({
      ...DEMO,
      mode: 'production',
      host: [PRODUCTION_HOSTS[0], 'name=kubenode2,address=192.168.122.21,roles=kube-worker'],
    });
    expect(address).toContain('192.168.122.21 is already the address of kubenode1');
    const name = await refusal({
      ...DEMO,
      mode: 'production',
      host: [PRODUCTION_HOSTS[0], 'name=kubenode1,address=192.168.122.99,roles=kube-worker'],
    });
    expect(name).toContain('kubenode1 is already the name of another host');
  });

  it('asks for roles in production and for exactly one host in demo', async () => {
    expect(await refusal({ ...DEMO, mode: 'production' })).toContain('roles= is missing');
    expect(await refusal({ ...DEMO, host: [...DEMO.host, 'name=two,address=192.168.122.11'] })).toContain(
      'exactly one host',
    );
  });

  it('refuses options that need another one', async () => {
    expect(await refusal({ ...DEMO, bastionUser: 'jump' })).toContain('--bastion-user needs --bastion');
    expect(await refusal({ ...DEMO, sftParticipants: '100' })).toContain('--sft-participants needs --sft');
  });

  it('fills a suggested layout from --addresses, placing SFT and TURN on different nodes', async () => {
    const addresses = ['21', '22', '23', '31', '32', '33', '10'].map((n) => `192.168.122.${n}`).join(',');
    const result = await answers({
      domain: 'wire.example.com',
      certificates: 'self-signed',
      layout: 'production',
      addresses,
      sft: true,
    });
    expect(result.mode).toBe('production');
    expect(result.hosts.map((h) => `${h.name}=${h.address}`)).toEqual([
      'kubenode1=192.168.122.21',
      'kubenode2=192.168.122.22',
      'kubenode3=192.168.122.23',
      'datanode1=192.168.122.31',
      'datanode2=192.168.122.32',
      'datanode3=192.168.122.33',
      'assethost=192.168.122.10',
    ]);
    expect(result.hosts[1]?.roles).toContain('sftd');
    expect(result.hosts[2]?.roles).toContain('coturn');
    const short = await refusal({
      ...DEMO,
      host: undefined,
      layout: 'production',
      addresses: '192.168.122.21',
    });
    expect(short).toContain('has 7 hosts, but --addresses gives 1');
  });
});

describe('answers file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wire-install-answers-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('has the same fields as the flags, hosts as specs or mappings; flags win', async () => {
    await writeFile(
      join(dir, 'answers.yaml'),
      [
        'mode: production',
        'domain: file.example.com',
        'certificates: cert-manager',
        'certEmail: certmaster@example.com',
        'sshUser: wire',
        'sshPort: 2222',
        'hosts:',
        `  - ${PRODUCTION_HOSTS[0]}`,
        '  - { name: datanode1, address: 192.168.122.31, roles: [cassandra, minio], cpus: 8, memory: 16 }',
      ].join('\n'),
    );
    const result = await answers({ answers: 'answers.yaml', domain: 'flag.example.com' }, dir);
    expect(result.domain).toBe('flag.example.com');
    expect(result.sshPort).toBe(2222);
    expect(result.hosts[1]).toEqual({
      name: 'datanode1',
      address: '192.168.122.31',
      roles: ['cassandra', 'minio'],
      cpus: 8,
      memoryGiB: 16,
    });
  });

  it('refuses unknown keys and names the key and the file for a bad value', async () => {
    await writeFile(join(dir, 'typo.yaml'), 'mode: demo\ndomian: wire.example.com\n');
    expect(await refusal({ answers: 'typo.yaml' }, dir)).toContain('unknown key "domian"');
    await writeFile(join(dir, 'bad.yaml'), 'mode: demo\ndomain: WIRE\n');
    expect(await refusal({ answers: 'bad.yaml' }, dir)).toContain('"domain" in bad.yaml');
  });

  it("refuses someone else's file (--answers /etc/shadow) without showing a line of it", async () => {
    await writeFile(
      join(dir, 'shadow'),
      'root:$6$salt$hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n',
    );
    const message = await refusal({ answers: 'shadow' }, dir);
    expect(message).toContain('this is not an answers file of wire-install init');
    expect(message).not.toContain('$6$');
    expect(message).not.toContain('daemon');
  });

  it('refuses an alias bomb in an answers file at the alias, at once', async () => {
    const levels = [`a0: &a0 [${Array(9).fill('lol').join(', ')}]`];
    for (let i = 1; i <= 9; i += 1)
      levels.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    await writeFile(join(dir, 'bomb.yaml'), `${levels.join('\n')}\n`);
    expect(await refusal({ answers: 'bomb.yaml' }, dir)).toMatch(
      /bomb\.yaml:\d+:\d+: the answers file is refused: aliases may expand a YAML file to at most 100000 nodes/,
    );
  });

  it('names the flag when the file lacks a required answer', async () => {
    await writeFile(join(dir, 'partial.yaml'), 'mode: demo\ncertificates: self-signed\n');
    expect(await refusal({ answers: 'partial.yaml' }, dir)).toContain('missing --domain');
  });
});

describe('--host syntax', () => {
  it('parses every key', () => {
    expect(
      parseHostSpec(
        'name=kubenode2,address=kube2.lan,private-address=192.168.122.22,external-ip=203.0.113.22,roles=kube-worker+sftd,cpus=8,memory=7.5,disk=80',
      ),
    ).toEqual({
      name: 'kubenode2',
      address: 'kube2.lan',
      privateAddress: '192.168.122.22',
      externalIp: '203.0.113.22',
      roles: ['kube-worker', 'sftd'],
      cpus: 8,
      memoryGiB: 7.5,
      diskGiB: 80,
    });
  });
});
