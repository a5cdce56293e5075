import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventoryText } from '../../src/inventory/load.js';
import { renderTemplateFile } from '../../src/templates/load.js';
import { chronyValues } from '../../src/wire/time-sync.js';
import { type LoopbackSsh, loopbackSsh } from '../support/loopback-ssh.js';
import { REPO_ROOT } from './run-cli.js';

/**
 * The single executables of `npm run release` (scripts/release.mjs, docs/release.md), built
 * once for this file into a temporary folder (about 20 s), and run as an operator runs them:
 * copied to a folder of their own, with an empty environment and a PATH without node, so
 * nothing can come from this repository, a node_modules or this machine's Node.js. Each asset
 * is read through a command: package.json (--version), the JSON Schema (init writes it beside
 * the inventory), a template (a plan against a stand-in host renders chrony.conf).
 */

const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const here = `linux-${process.arch}`;
const other = process.arch === 'x64' ? 'linux-arm64' : 'linux-x64';
/** The other platform's program runs under qemu user-mode emulation (scripts/setup.sh installs it). */
const QEMU = { 'linux-arm64': 'aarch64', 'linux-x64': 'x86_64' }[other];

let release: string;
let work: string;
let executable: string;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function run(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return execa(executable, args, {
    cwd: options.cwd ?? work,
    env: { PATH: '/nonexistent', NO_COLOR: '1', ...options.env },
    extendEnv: false,
    reject: false,
    timeout: 20_000,
  });
}

beforeAll(async () => {
  release = mkdtempSync(join(tmpdir(), 'wil-release-'));
  await execa('node', ['scripts/release.mjs', '--out', release], { cwd: REPO_ROOT });
  work = mkdtempSync(join(tmpdir(), 'wil-release-run-'));
  executable = join(work, 'wire-install');
  copyFileSync(join(release, `wire-install-${version}-${here}`), executable);
  await execa('chmod', ['0755', executable]);
}, 180_000);

afterAll(() => {
  for (const dir of [release, work]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the release (npm run release)', () => {
  it('has an executable per platform, helm, the licences and a README, every file in SHA256SUMS', () => {
    const files = readdirSync(release).sort();
    expect(files).toEqual(
      [
        'LICENSE-helm.txt',
        'LICENSE-node.txt',
        'README.txt',
        'SHA256SUMS',
        'THIRD-PARTY-LICENSES.txt',
        'helm-3.17.2-linux-x64',
        `wire-install-${version}-linux-arm64`,
        `wire-install-${version}-linux-x64`,
      ].sort(),
    );
    const sums = readFileSync(join(release, 'SHA256SUMS'), 'utf8').trim().split('\n');
    const listed = sums.map((line) => line.split('  ')[1]);
    expect(listed.sort()).toEqual(files.filter((file) => file !== 'SHA256SUMS'));
    for (const line of sums) {
      const [sum, file] = line.split('  ') as [string, string];
      expect(sha256(readFileSync(join(release, file))), file).toBe(sum);
    }
    expect(readFileSync(join(release, 'LICENSE-helm.txt'), 'utf8')).toContain('Apache License');
    expect(readFileSync(join(release, 'THIRD-PARTY-LICENSES.txt'), 'utf8')).toContain('== commander ');
  });

  it('verifies with sha256sum -c, as the README says', async () => {
    const result = await execa('sha256sum', ['-c', 'SHA256SUMS'], { cwd: release, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
  });

  it('ships helm that runs', async () => {
    const result = await execa(join(release, 'helm-3.17.2-linux-x64'), ['version', '--short'], {
      env: { PATH: '/nonexistent' },
      extendEnv: false,
    });
    expect(result.stdout).toMatch(/^v3\.17\.2\+g/);
  });
});

describe('the executable, with no Node.js on PATH and an empty environment', () => {
  it('prints its help, and its version from its own package.json', async () => {
    const help = await run(['--help']);
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: wire-install');
    expect(help.stderr).toBe('');
    const versionRun = await run(['--version']);
    expect(versionRun.exitCode).toBe(0);
    expect(versionRun.stdout).toContain(version);
    expect(versionRun.stderr).toBe('');
  });

  it('prints the offline plan of a copy of the example inventory', async () => {
    const dir = mkdtempSync(join(work, 'plan-'));
    copyFileSync(join(REPO_ROOT, 'inventory.example.yaml'), join(dir, 'inventory.yaml'));
    const result = await run(['apply', '--plan', '--offline', '-i', 'inventory.yaml'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Plan for wire.example.com (production)');
    expect(result.stdout).toContain('bootstrap-host.time-sync');
  });

  it('init writes the inventory and, from its assets, the JSON Schema its header names', async () => {
    const dir = mkdtempSync(join(work, 'init-'));
    const result = await run(
      [
        'init',
        '--non-interactive',
        '--mode',
        'demo',
        '--domain',
        'wire.example.com',
        '--certificates',
        'self-signed',
        '--host',
        'name=wire-demo,address=192.168.122.50,cpus=16,memory=16,disk=200',
      ],
      { cwd: dir },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const inventory = readFileSync(join(dir, 'inventory.yaml'), 'utf8');
    expect(inventory.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./.wire-install/inventory.schema.json',
    );
    expect(readFileSync(join(dir, '.wire-install/inventory.schema.json'), 'utf8')).toBe(
      readFileSync(join(REPO_ROOT, 'schema/inventory.schema.json'), 'utf8'),
    );
    expect(existsSync(join(dir, 'secrets.yaml'))).toBe(true);
  });

  describe('apply --plan against a stand-in host', () => {
    let host: LoopbackSsh;
    let dir: string;
    const address = '192.168.122.50';

    const inventoryText = (identityFile: string) =>
      [
        'apiVersion: wire-install/v1',
        'kind: Inventory',
        'mode: demo',
        'domain: wire.example.com',
        'certificates:',
        '  mode: self-signed',
        'ssh:',
        '  user: root',
        `  identityFile: ${identityFile}`,
        '  become: { enabled: false }',
        'hosts:',
        `  - { name: wire-demo, address: ${address}, roles: [kube-control-plane, kube-worker] }`,
        '',
      ].join('\n');

    beforeAll(async () => {
      dir = mkdtempSync(join(work, 'apply-'));
      // What chrony.conf must be, rendered from templates/ in this repository.
      const path = join(dir, 'inventory.yaml');
      const { inventory } = parseInventoryText(inventoryText('./id_ecdsa'), path);
      const chrony = renderTemplateFile('chrony/chrony.conf', chronyValues(inventory, 'wire-demo'));
      host = await loopbackSsh(dir, address, {
        '/etc/chrony/chrony.conf': { mode: '644', owner: 'root', group: 'root', sha256: sha256(chrony) },
      });
      writeFileSync(path, inventoryText('./id_ecdsa'));
    });

    afterAll(async () => {
      await host?.close();
    });

    it('renders chrony.conf from its template asset exactly as the repository does', async () => {
      const result = await run(
        ['apply', '--plan', '--only', 'bootstrap-host.time-sync', '-i', 'inventory.yaml', '--json'],
        {
          cwd: dir,
          env: { HOME: join(dir, 'home'), WIRE_INSTALL_ONLY_NETWORKS: '127.0.0.0/8' },
        },
      );
      expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
      const events = result.stdout.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const step = events.find((event) => event.type === 'step-finished');
      expect(step, result.stdout).toMatchObject({ step: 'bootstrap-host.time-sync', host: 'wire-demo' });
      // The host "holds" the repository's rendering: a different one would be a change to it.
      const changes = (step?.changes ?? []) as string[];
      expect(changes.join('\n')).not.toContain('/etc/chrony/chrony.conf');
    });

    it('sees a chrony.conf that differs from the template as a change', async () => {
      const stale = mkdtempSync(join(work, 'apply-stale-'));
      const other = await loopbackSsh(stale, address, {
        '/etc/chrony/chrony.conf': { mode: '644', owner: 'root', group: 'root', sha256: sha256('pool x\n') },
      });
      try {
        writeFileSync(join(stale, 'inventory.yaml'), inventoryText('./id_ecdsa'));
        const result = await run(
          ['apply', '--plan', '--only', 'bootstrap-host.time-sync', '-i', 'inventory.yaml'],
          { cwd: stale, env: { HOME: join(stale, 'home'), WIRE_INSTALL_ONLY_NETWORKS: '127.0.0.0/8' } },
        );
        expect(result.exitCode, result.stderr).toBe(0);
        expect(result.stdout).toContain('update /etc/chrony/chrony.conf (content)');
      } finally {
        await other.close();
      }
    });
  });

  it(`runs on ${other} too (under qemu ${QEMU} here)`, async () => {
    const qemu = [`qemu-${QEMU}-static`, `qemu-${QEMU}`]
      .flatMap((name) => (process.env.PATH ?? '').split(':').map((dir) => join(dir, name)))
      .find((path) => existsSync(path));
    expect(qemu, `qemu-${QEMU}-static (scripts/setup.sh installs it)`).toBeDefined();
    const result = await execa(
      qemu as string,
      [join(release, `wire-install-${version}-${other}`), '--version'],
      {
        env: { PATH: '/nonexistent', QEMU_LD_PREFIX: `/usr/${QEMU}-linux-gnu` },
        extendEnv: false,
        reject: false,
        timeout: 60_000,
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(version);
    // Its own V8 code cache: another platform's would be rejected, with a warning here.
    expect(result.stderr).toBe('');
  }, 60_000);
});
