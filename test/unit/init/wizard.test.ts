import { describe, expect, it } from 'vitest';
import { isWireInstallError } from '../../../src/core/errors.js';
import { createMemoryOutput } from '../../../src/core/output.js';
import type { InitAnswers, PartialAnswers } from '../../../src/init/answers.js';
import { at, createScriptedPrompter, DEFAULT, refuse } from '../../../src/init/scripted-prompter.js';
import { runWizard } from '../../../src/init/wizard.js';

/** Runs the wizard on a script; `blocking` says, review by review, whether errors block writing. */
async function wizard(script: unknown[], options: { preset?: PartialAnswers; blocking?: boolean[] } = {}) {
  const prompter = createScriptedPrompter(script);
  const output = createMemoryOutput();
  const reviewed: InitAnswers[] = [];
  const answers = await runWizard({
    prompter,
    output,
    cwd: process.cwd(),
    preset: options.preset,
    writes: 'inventory.yaml and secrets.yaml',
    review: async (a) => {
      reviewed.push(a);
      return { blocking: options.blocking?.[reviewed.length - 1] ?? false };
    },
  });
  expect(prompter.remaining()).toBe(0);
  return { answers, prompter, output, reviewed };
}

const DEMO_SCRIPT = [
  at('installing', 'demo'),
  refuse('Wire.Example.com', /lower case/, 'Domain'),
  refuse('localhost', /at least two labels/, 'Domain'),
  at('Domain', 'wire.example.com'),
  at('certificates', DEFAULT),
  at('TURN', DEFAULT),
  at('conference', true),
  at('participants', 100),
  at('Host name', DEFAULT),
  refuse('10.233.70.1', "inside Kubernetes' pod network", 'Address of wire'),
  at('Address of wire', '192.168.122.10'),
  at('Public IP', ''),
  at('CPU', DEFAULT),
  at('Memory', DEFAULT),
  at('Disk', DEFAULT),
  at('login user', DEFAULT),
  at('SSH port', DEFAULT),
  at('private key', ''),
  at('bastion', DEFAULT),
  at('bundle', ''),
  at('Write the files', 'write'),
];

describe('the init wizard, driven by a scripted prompter', () => {
  it('walks a demo setup, refusing a wrong domain at the prompt until it is corrected', async () => {
    const { answers, prompter, reviewed } = await wizard(DEMO_SCRIPT);
    expect(prompter.refusals.map((r) => r.answer)).toEqual(['Wire.Example.com', 'localhost', '10.233.70.1']);
    expect(answers).toMatchObject({
      mode: 'demo',
      domain: 'wire.example.com',
      certificates: 'self-signed',
      sft: true,
      sftParticipants: 100,
      coturn: true,
      sshUser: 'root',
      sshPort: 22,
      hosts: [{ name: 'wire', address: '192.168.122.10', cpus: 18, memoryGiB: 24, diskGiB: 250 }],
    });
    expect(answers.sudo).toBeUndefined();
    expect(answers.bundle).toBeUndefined();
    expect(reviewed).toHaveLength(1);
  });

  it('fills a production layout, refusing a duplicate address until it is corrected', async () => {
    const { answers, prompter } = await wizard([
      'production',
      'wire.example.com',
      at('certificates', DEFAULT),
      at('E-mail', DEFAULT),
      at('staging', DEFAULT),
      at('TURN', true),
      at('conference', false),
      at('layout', 'production'),
      at("each host's CPU", false),
      at('Address of kubenode1', '192.168.122.21'),
      at('Address of kubenode2', '192.168.122.22'),
      refuse('192.168.122.21', 'already the address of kubenode1', 'Address of kubenode3'),
      at('Address of kubenode3', '192.168.122.23'),
      at('Public IP clients reach kubenode3', '203.0.113.23'),
      at('Address of datanode1', '192.168.122.31'),
      at('Address of datanode2', 'datanode2.lan'),
      refuse('192.168.122.31', 'already the address of datanode1', 'Static private IP of datanode2'),
      at('Static private IP of datanode2', '192.168.122.32'),
      at('Address of datanode3', '192.168.122.33'),
      at('Address of assethost', '192.168.122.10'),
      at('Hosts:', DEFAULT),
      at('login user', 'wire'),
      at('SSH port', DEFAULT),
      at('private key', '~/.ssh/id_ed25519'),
      at('bastion', true),
      at('Bastion address', '203.0.113.5'),
      at('Login user on the bastion', DEFAULT),
      at('port of the bastion', 2222),
      at('Private key for the bastion', ''),
      at('run commands as root', 'password'),
      at('bundle', ''),
      'write',
    ]);
    expect(prompter.refusals).toHaveLength(2);
    expect(answers).toMatchObject({
      mode: 'production',
      certificates: 'cert-manager',
      certEmail: 'certmaster@wire.example.com',
      certStaging: false,
      coturn: true,
      sft: false,
      sshUser: 'wire',
      sshIdentityFile: '~/.ssh/id_ed25519',
      bastion: '203.0.113.5',
      bastionUser: 'wire',
      bastionPort: 2222,
      sudo: 'password',
    });
    expect(answers.hosts.map((h) => h.name)).toEqual([
      'kubenode1',
      'kubenode2',
      'kubenode3',
      'datanode1',
      'datanode2',
      'datanode3',
      'assethost',
    ]);
    expect(answers.hosts[2]).toMatchObject({
      roles: ['kube-control-plane', 'kube-worker', 'coturn'],
      externalIp: '203.0.113.23',
    });
    expect(answers.hosts[4]).toMatchObject({ address: 'datanode2.lan', privateAddress: '192.168.122.32' });
  });

  it('adds, edits, lists and removes hosts one by one, refusing a duplicate name', async () => {
    const { answers } = await wizard(
      [
        at('layout', 'custom'),
        at('Hosts:', 'add'),
        at('Host name', 'kubenode1'),
        at('Address', '192.168.122.21'),
        at('Roles of kubenode1', ['kube-control-plane', 'kube-worker']),
        at('CPU', 6),
        at('Memory', 8),
        at('Disk', 80),
        at('Hosts:', 'add'),
        refuse('kubenode1', 'already the name of another host', 'Host name'),
        at('Host name', 'spare'),
        at('Address', '192.168.122.99'),
        refuse([], 'at least one role', 'Roles of spare'),
        at('Roles of spare', ['kube-worker']),
        at('CPU', ''),
        at('Memory', ''),
        at('Disk', ''),
        at('Hosts:', 'edit'),
        at('Edit which', 0),
        at('Host name', DEFAULT),
        at('Address', '192.168.122.20'),
        at('Roles of kubenode1', DEFAULT),
        at('CPU', 8),
        at('Memory', DEFAULT),
        at('Disk', DEFAULT),
        at('Hosts:', 'list'),
        at('Hosts:', 'remove'),
        at('Remove which', 1),
        at('Hosts:', 'done'),
        at('bastion', false),
        'write',
      ],
      {
        preset: {
          mode: 'production',
          domain: 'wire.example.com',
          certificates: 'self-signed',
          sft: false,
          coturn: false,
          sshUser: 'root',
          sshPort: 22,
          sshIdentityFile: '/keys/id',
          bundle: '/srv/bundle',
        },
      },
    );
    expect(answers.hosts).toEqual([
      {
        name: 'kubenode1',
        address: '192.168.122.20',
        roles: ['kube-control-plane', 'kube-worker'],
        cpus: 8,
        memoryGiB: 8,
        diskGiB: 80,
      },
    ]);
  });

  it('does not ask again what flags answered', async () => {
    const { prompter } = await wizard(DEMO_SCRIPT.slice(5), {
      preset: { mode: 'demo', domain: 'wire.example.com', certificates: 'self-signed' },
    });
    expect(prompter.asked.join('\n')).not.toMatch(/Domain|installing|certificates/);
  });

  it('will not write while the findings have errors: back to edit, then write', async () => {
    const { reviewed, prompter } = await wizard(
      [
        ...DEMO_SCRIPT.slice(0, -1),
        at('Errors above', 'edit-hosts'),
        at('Host name', 'wire2'),
        at('Address of wire2', '192.168.122.11'),
        at('Public IP', ''),
        at('CPU', DEFAULT),
        at('Memory', DEFAULT),
        at('Disk', DEFAULT),
        at('Write the files', 'write'),
      ],
      { blocking: [true, false] },
    );
    expect(reviewed.map((a) => a.hosts[0]?.name)).toEqual(['wire', 'wire2']);
    expect(prompter.asked.filter((m) => m.startsWith('Errors above'))).toHaveLength(1);
  });

  it('refuses to write while blocked: the write choice is disabled', async () => {
    await expect(wizard([...DEMO_SCRIPT.slice(0, -1), 'write'], { blocking: [true] })).rejects.toThrow(
      /disabled: fix the errors above first/,
    );
  });

  it('quitting at the review is an interruption (exit 130) with nothing written', async () => {
    const error = await wizard([...DEMO_SCRIPT.slice(0, -1), 'quit']).catch((e: unknown) => e);
    expect(isWireInstallError(error) && error.exitCode).toBe(130);
  });

  it('the scripted prompter fails loudly when its answers run out', async () => {
    await expect(wizard(['demo'])).rejects.toThrow(/no answer left for "Domain/);
  });
});
