import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureSecretsFile } from '../../src/secrets/file.js';
import { productionInput } from '../support/inventories.js';
import { runCli } from './run-cli.js';

/**
 * The doctor command through the built CLI, with the `local` group only (no host, DNS server or
 * ingress is contacted: the inventory's addresses are the example's). helm and kubectl are
 * STAND-IN executables first on PATH, printing what the real ones print for the version flags,
 * so the result does not depend on what this machine has installed.
 */

interface Result {
  check: string;
  group: string;
  status: string;
  host?: string;
  summary: string;
  evidence: string[];
  fix?: string;
}

let bin: string;
beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'wil-doctor-bin-'));
  const standIn = (name: string, body: string) => {
    writeFileSync(
      join(bin, name),
      `#!/bin/sh\n# stand-in for ${name}: prints what the real one prints\n${body}\n`,
    );
    chmodSync(join(bin, name), 0o755);
  };
  standIn('helm', 'echo "v3.17.0+g301108e"');
  standIn(
    'kubectl',
    `case "$*" in *-o\\ json*) echo '{"clientVersion":{"major":"1","minor":"29","gitVersion":"v1.29.10"}}' ;; *) echo "Client Version: v1.29.10" ;; esac`,
  );
});

async function workspace(withSecrets: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'wil-doctor-'));
  writeFileSync(join(dir, 'inventory.yaml'), yaml.dump(productionInput()));
  if (withSecrets) await ensureSecretsFile(join(dir, 'secrets.yaml'));
  return dir;
}

const doctor = (dir: string, args: string[]) =>
  runCli(['doctor', '-i', 'inventory.yaml', ...args], {
    cwd: dir,
    env: { PATH: `${bin}:${process.env.PATH}` },
  });

describe('wire-install doctor', () => {
  it('refuses an unknown group before reading or contacting anything (exit 2), listing the groups', async () => {
    const result = await runCli(['doctor', '--only', 'dns,bogus', '-i', 'no-such-inventory.yaml']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--only dns,bogus: unknown group bogus');
    expect(result.stderr).toContain('groups: local, hosts, network, dns, certs, cluster, databases, drift');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('--json prints one report of the documented shape; nothing failed is exit 0', async () => {
    const dir = await workspace(true);
    const result = await doctor(dir, ['--only', 'local', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] ?? '') as Record<string, unknown> & {
      results: Result[];
      counts: Record<string, number>;
    };
    expect(Object.keys(report).sort()).toEqual(
      ['counts', 'domain', 'durationMs', 'groups', 'inventory', 'results', 'startedAt', 'version'].sort(),
    );
    expect(report).toMatchObject({
      version: 1,
      inventory: 'inventory.yaml',
      domain: 'wire.example.com',
      groups: ['local'],
    });
    expect(Number.isNaN(Date.parse(String(report.startedAt)))).toBe(false);
    expect(typeof report.durationMs).toBe('number');
    // Every result carries the fields the docs promise; a problem always has a fix.
    for (const entry of report.results) {
      // No field beyond the documented ones (docs/doctor.md); host and fix only when they apply.
      expect(
        Object.keys(entry).every((field) =>
          ['check', 'group', 'status', 'host', 'summary', 'evidence', 'fix'].includes(field),
        ),
        JSON.stringify(entry),
      ).toBe(true);
      expect(entry.check).toMatch(/^local\.[a-z-]+$/);
      expect(entry.group).toBe('local');
      expect(['pass', 'warn', 'fail', 'skip']).toContain(entry.status);
      expect(typeof entry.summary).toBe('string');
      expect(Array.isArray(entry.evidence)).toBe(true);
      if (entry.status === 'warn' || entry.status === 'fail') expect(entry.fix).toBeTruthy();
    }
    const counted = { pass: 0, warn: 0, fail: 0, skip: 0 } as Record<string, number>;
    for (const entry of report.results) counted[entry.status] = (counted[entry.status] ?? 0) + 1;
    expect(report.counts).toEqual(counted);
    const byCheck = Object.fromEntries(
      report.results.map((entry) => [`${entry.check} ${entry.status}`, entry]),
    );
    const tools = report.results.filter((entry) => entry.check === 'local.tools');
    expect(tools.map((entry) => entry.status)).toEqual(['pass', 'pass']);
    expect(tools[0]?.evidence).toEqual([
      'helm v3.17.0+g301108e',
      'kubectl Client Version: v1.29.10',
      // Which copies doctor (like apply) uses, and from where.
      expect.stringMatching(/^helm: \/.+\/helm \(on PATH\)$/),
      expect.stringMatching(/^kubectl: \/.+\/kubectl \(on PATH\)$/),
    ]);
    expect(tools[1]?.summary).toBe('the OpenSSH client is installed');
    expect(byCheck['local.secrets pass']).toBeDefined();
    expect(byCheck['local.inventory pass']).toBeDefined();
    expect(byCheck['local.bundle skip']?.summary).toBe('the inventory names no bundle (bundle.path)');
  });

  it('a failed check is exit 3, shown in its group with the evidence and the fix', async () => {
    const dir = await workspace(false);
    mkdirSync(join(dir, 'bundle'));
    const inventory = yaml.load(
      (await import('node:fs')).readFileSync(join(dir, 'inventory.yaml'), 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(join(dir, 'inventory.yaml'), yaml.dump({ ...inventory, bundle: { path: 'bundle' } }));
    const result = await doctor(dir, ['--only', 'local']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(3);
    const text = result.stdout;
    expect(text).toMatch(/^local$/m);
    expect(text).toMatch(/FAIL {2}local\.secrets +.*secrets\.yaml does not exist/);
    expect(text).toContain('fix: run `wire-install init`');
    // The empty bundle folder: each missing item named, with what was measured.
    expect(text).toMatch(/FAIL {2}local\.bundle .*binaries\.tar is missing from the bundle/);
    expect(text).toContain('measured: missing');
    expect(text).toMatch(/doctor: \d+ failed \(\d+ pass, \d+ warn, \d+ fail, 0 skip\) in [\d.]+ s/);
  });

  it('every host unreachable (loopback port 1): hosts.reachable fails each, the other host checks say there was nothing to check', async () => {
    const dir = await workspace(true);
    const input = productionInput();
    input.hosts = input.hosts.map((host) => ({ ...host, address: '127.0.0.1', ssh: { port: 1 } }));
    writeFileSync(join(dir, 'inventory.yaml'), yaml.dump(input));
    const result = await doctor(dir, ['--only', 'hosts', '--json']);
    expect(result.exitCode, result.stderr).toBe(3);
    const report = JSON.parse(result.stdout) as { results: Result[] };
    const of = (check: string) => report.results.filter((entry) => entry.check === check);
    expect(of('hosts.reachable').map((entry) => entry.status)).toEqual(input.hosts.map(() => 'fail'));
    for (const check of ['hosts.host-key', 'hosts.sudo', 'hosts.os', 'hosts.clock-skew'])
      expect(of(check), check).toMatchObject([
        { status: 'skip', summary: 'nothing to check: no connected host or item it applies to' },
      ]);
  }, 30_000);

  it('a support bundle that cannot be packed (a STAND-IN tar that fails) still leaves the report (exit 1)', async () => {
    const dir = await workspace(true);
    const input = productionInput();
    // Every host on loopback port 1: the bundle connects for journals, and nothing answers there.
    input.hosts = input.hosts.map((host) => ({ ...host, address: '127.0.0.1', ssh: { port: 1 } }));
    writeFileSync(join(dir, 'inventory.yaml'), yaml.dump(input));
    const failing = mkdtempSync(join(tmpdir(), 'wil-doctor-tar-'));
    writeFileSync(
      join(failing, 'tar'),
      '#!/bin/sh\n# stand-in for tar: fails\necho "tar: disk full" >&2\nexit 2\n',
    );
    chmodSync(join(failing, 'tar'), 0o755);
    const result = await runCli(
      ['doctor', '-i', 'inventory.yaml', '--only', 'local', '--json', '--support-bundle', 'support.tar.gz'],
      { cwd: dir, env: { PATH: `${failing}:${bin}:${process.env.PATH}` } },
    );
    expect(result.exitCode, result.stderr).toBe(1);
    const [report, error] = result.stdout.split('\n').filter((line) => line.trim() !== '');
    expect(JSON.parse(report ?? '{}')).toMatchObject({ version: 1, groups: ['local'] });
    expect(error).toContain('tar czf exited 2: tar: disk full');
  }, 30_000);

  it("never reaches the example inventory's hosts: the test run's network fence refuses them (hosts.reachable fails)", async () => {
    const dir = await workspace(true);
    const result = await doctor(dir, ['--only', 'hosts', '--json']);
    expect(result.exitCode).toBe(3);
    const report = JSON.parse(result.stdout) as { results: Result[] };
    const reachable = report.results.filter((entry) => entry.check === 'hosts.reachable');
    expect(reachable.length).toBeGreaterThan(0);
    for (const entry of reachable) {
      expect(entry.status).toBe('fail');
      expect(entry.evidence.join('\n')).toContain('is outside WIRE_INSTALL_ONLY_NETWORKS');
    }
  });

  it('reports an unreadable secrets.yaml as a finding instead of stopping', async () => {
    const dir = await workspace(false);
    writeFileSync(join(dir, 'secrets.yaml'), 'zauth: [\n', { mode: 0o600 });
    const result = await doctor(dir, ['--only', 'local', '--json']);
    expect(result.exitCode).toBe(3);
    const report = JSON.parse(result.stdout) as { results: Result[] };
    const secrets = report.results.filter((entry) => entry.check === 'local.secrets');
    expect(secrets).toMatchObject([{ status: 'fail' }]);
    expect(secrets[0]?.summary).toMatch(/not valid YAML/);
    expect(secrets[0]?.evidence).toEqual([`read: ${join(dir, 'secrets.yaml')}`]);
    expect(secrets[0]?.fix).toBeTruthy();
  });
});
