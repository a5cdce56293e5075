import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventoryText } from '../../src/inventory/load.js';
import { DEMO_INIT_ARGS } from '../support/inventories.js';
import { type CliResult, runCli } from './run-cli.js';

/**
 * `wire-install init --non-interactive`, run as the built CLI in a temporary directory, the way
 * a script would run it (no terminal: execa gives the process pipes).
 */

const PRODUCTION = [
  'init',
  '--non-interactive',
  '--mode',
  'production',
  '--domain',
  'wire.example.com',
  '--certificates',
  'cert-manager',
  '--cert-email',
  'certmaster@example.com',
  '--ssh-user',
  'wire',
  '--sudo',
  'passwordless',
  '--sft',
  '--sft-participants',
  '100',
  ...[
    'name=kubenode1,address=192.168.122.21,roles=kube-control-plane+kube-worker,cpus=6,memory=8,disk=80',
    'name=kubenode2,address=192.168.122.22,roles=kube-control-plane+kube-worker+sftd,cpus=8,memory=8,disk=80',
    'name=kubenode3,address=192.168.122.23,roles=kube-control-plane+kube-worker+coturn,cpus=6,memory=8,disk=80',
    'name=datanode1,address=192.168.122.31,roles=cassandra+elasticsearch+minio+postgresql+rabbitmq,cpus=8,memory=16,disk=800',
    'name=datanode2,address=192.168.122.32,roles=cassandra+elasticsearch+minio+postgresql+rabbitmq,cpus=8,memory=16,disk=800',
    'name=datanode3,address=192.168.122.33,roles=cassandra+elasticsearch+minio+postgresql+rabbitmq,cpus=8,memory=16,disk=800',
    'name=assethost,address=192.168.122.10,roles=assethost,cpus=1,memory=4,disk=100',
  ].flatMap((spec) => ['--host', spec]),
];

const made: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wire-install-init-cli-'));
  made.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

/** Every string value in the secrets file: none may ever appear in what init prints. */
function secretValues(text: string): string[] {
  const values: string[] = [];
  const walk = (node: unknown) => {
    if (typeof node === 'string' && node.length >= 8) values.push(node);
    else if (node && typeof node === 'object') for (const child of Object.values(node)) walk(child);
  };
  const { apiVersion: _version, kind: _kind, ...secrets } = yaml.load(text) as Record<string, unknown>;
  walk(secrets);
  return values;
}

function expectNoSecretIn(result: CliResult, secrets: string): void {
  const values = secretValues(secrets);
  expect(values.length).toBeGreaterThan(0);
  const printed = `${result.stdout}\n${result.stderr}`;
  for (const value of values) expect(printed.includes(value), 'a secret value was printed').toBe(false);
}

describe('wire-install init --non-interactive (the built CLI)', () => {
  let dir: string;
  let first: CliResult;
  beforeAll(async () => {
    dir = await tempDir();
    first = await runCli(DEMO_INIT_ARGS, { cwd: dir });
  });

  it('writes a valid inventory with the schema header and a 0600 secrets file', async () => {
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('Wrote inventory.yaml (demo, wire.example.com, 1 host)');
    expect(first.stdout).toContain('Secrets: created secrets.yaml');
    const file = join(dir, 'inventory.yaml');
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+inventory\.schema\.json$/);
    const loaded = parseInventoryText(text, file);
    expect(loaded.inventory.hosts).toHaveLength(1);
    expect(loaded.inventory.mode).toBe('demo');
    expect((await stat(join(dir, 'secrets.yaml'))).mode & 0o777).toBe(0o600);
    expectNoSecretIn(first, await readFile(join(dir, 'secrets.yaml'), 'utf8'));
  });

  it('writes an inventory the rest of the tool accepts: apply --plan --offline plans it', async () => {
    const plan = await runCli(['apply', '--plan', '--offline', '--json', '--inventory', 'inventory.yaml'], {
      cwd: dir,
    });
    expect(plan.exitCode).toBe(0);
    const records = plan.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const planRecord = records.find((record) => record.type === 'plan');
    expect(planRecord).toMatchObject({ mode: 'demo', domain: 'wire.example.com' });
    expect(records.filter((record) => record.type === 'finding' && record.severity === 'error')).toEqual([]);
  });

  it('refuses to replace the inventory without --force (exit 2)', async () => {
    const before = await readFile(join(dir, 'inventory.yaml'), 'utf8');
    const again = await runCli(DEMO_INIT_ARGS, { cwd: dir });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(again.stderr).toContain('--force');
    expect(await readFile(join(dir, 'inventory.yaml'), 'utf8')).toBe(before);
  });

  it('keeps the secrets byte for byte when run again with --force', async () => {
    const secrets = await readFile(join(dir, 'secrets.yaml'));
    const again = await runCli([...DEMO_INIT_ARGS, '--force', '--domain', 'chat.example.com'], { cwd: dir });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('Secrets: kept the existing secrets.yaml');
    expect(await readFile(join(dir, 'secrets.yaml'))).toEqual(secrets);
    expect(await readFile(join(dir, 'inventory.yaml'), 'utf8')).toContain('domain: chat.example.com');
    expectNoSecretIn(again, secrets.toString('utf8'));
  });

  it('exits 2 naming --domain when it is missing, and writes nothing', async () => {
    const empty = await tempDir();
    const args = DEMO_INIT_ARGS.filter(
      (arg, i) => arg !== '--domain' && DEMO_INIT_ARGS[i - 1] !== '--domain',
    );
    const result = await runCli(args, { cwd: empty });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('missing --domain');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await readdir(empty)).toEqual([]);
  });

  it('without a terminal and without --non-interactive, says to pass it (exit 2)', async () => {
    const empty = await tempDir();
    const result = await runCli(['init'], { cwd: empty });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--non-interactive');
    expect(await readdir(empty)).toEqual([]);
  });

  it('writes a production inventory from --host flags, with one --json record', async () => {
    const prod = await tempDir();
    const result = await runCli([...PRODUCTION, '--json', '--inventory', 'site/inventory.yaml'], {
      cwd: prod,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const records = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      type: 'init',
      inventory: join(prod, 'site/inventory.yaml'),
      secrets: join(prod, 'site/secrets.yaml'),
      secretsStatus: 'created',
    });
    const file = join(prod, 'site/inventory.yaml');
    const loaded = parseInventoryText(await readFile(file, 'utf8'), file);
    expect(loaded.inventory.hosts.map((h) => h.name)).toEqual([
      'kubenode1',
      'kubenode2',
      'kubenode3',
      'datanode1',
      'datanode2',
      'datanode3',
      'assethost',
    ]);
    expect(loaded.inventory.wire.calling.sft).toMatchObject({ enabled: true, concurrentParticipants: 100 });
    expectNoSecretIn(result, await readFile(join(prod, 'site/secrets.yaml'), 'utf8'));
  });

  it('takes its answers from --answers, with the same fields as the flags', async () => {
    const fromFile = await tempDir();
    await writeFile(
      join(fromFile, 'answers.yaml'),
      [
        'mode: demo',
        'domain: wire.example.com',
        'certificates: self-signed',
        'sshUser: wire',
        'sudo: passwordless',
        'hosts:',
        '  - { name: wire, address: 192.168.122.10, cpus: 16, memory: 24, disk: 250 }',
      ].join('\n'),
    );
    const result = await runCli(['init', '--non-interactive', '--answers', 'answers.yaml'], {
      cwd: fromFile,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const text = await readFile(join(fromFile, 'inventory.yaml'), 'utf8');
    expect(text).toContain('user: wire');
  });

  it('explains the host syntax and the answers file in --help', async () => {
    const result = await runCli(['init', '--help']);
    expect(result.exitCode).toBe(0);
    for (const text of [
      '--non-interactive',
      '--host <spec>',
      'roles=kube-control-plane+kube-worker',
      '--answers <file>',
      'Examples:',
    ]) {
      expect(result.stdout).toContain(text);
    }
  });
});
