import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOSTS_CHECKS } from '../../../src/doctor/checks/hosts.js';
import { judgeAptSources, parseAptSources } from '../../../src/doctor/checks/hosts-apt-sources.js';
import type { DoctorContext, DoctorResult } from '../../../src/doctor/types.js';
import type { HostFacts } from '../../../src/hosts/facts.js';
import type { ExecResult, RemoteHost } from '../../../src/hosts/types.js';
import type { StepId } from '../../../src/steps/registry.js';
import { production } from '../../support/inventories.js';

/**
 * doctor's hosts group on a hand-made context: what the runner gives the checks (connected
 * hosts, their facts, the unreachable ones with the reason, first-seen keys). The commands the
 * checks run answer from a table (the lab test runs them on real hosts).
 */

const inventory = production();
const names = inventory.hosts.map((host) => host.name);

function facts(name: string, edit: Partial<HostFacts> = {}): HostFacts {
  return {
    hostname: name,
    os: { id: 'ubuntu', versionId: '22.04', prettyName: 'Ubuntu 22.04.5 LTS' },
    kernel: '5.15.0',
    architecture: 'x86_64',
    cpus: 16,
    memoryGiB: 31,
    disk: { path: '/var/lib', totalGiB: 900, freeGiB: 800 },
    addresses: [],
    initSystem: 'systemd',
    timeSync: { ntpSynchronized: true, service: 'chrony' },
    procSysWritable: true,
    installedBy: undefined,
    machineId: `${name}-machine-id`,
    clockOffsetMs: 0,
    listening: [],
    ...edit,
  };
}

function remote(name: string, answers: Record<string, Partial<ExecResult>> = {}): RemoteHost {
  return {
    name,
    exec: async (command) => ({ stdout: '', stderr: '', exitCode: 0, ...answers[command] }),
    close: () => {},
  };
}

function context(edit: Partial<DoctorContext> = {}): DoctorContext {
  return {
    inventory,
    inventoryDir: '/nowhere',
    inventoryFile: '/nowhere/inventory.yaml',
    secrets: undefined,
    secretsPath: '/nowhere/secrets.yaml',
    dnsServer: undefined,
    bundleRoot: undefined,
    admin: remote('admin host'),
    hosts: new Map(names.map((name) => [name, remote(name, { 'id -u': { stdout: '0\n' } })])),
    facts: new Map(names.map((name) => [name, facts(name)])),
    unreachable: new Map(),
    newHostKeys: new Map(),
    preflight: { allowUnsupportedOs: false, allowUndersized: false },
    installed: { succeededSteps: new Set(), kubeconfig: undefined },
    signal: new AbortController().signal,
    env: {},
    ...edit,
  };
}

async function run(id: string, ctx: DoctorContext): Promise<DoctorResult[]> {
  const check = HOSTS_CHECKS.find((candidate) => candidate.id === id);
  if (!check) throw new Error(`no check ${id}`);
  const reason = check.skipReason(ctx);
  if (reason !== undefined)
    return [{ check: id, group: 'hosts', status: 'skip', summary: reason, evidence: [] }];
  return check.run(ctx);
}

const failing = (results: DoctorResult[]) =>
  results.filter((result) => result.status !== 'pass').map((result) => `${result.status} ${result.host}`);

/** The production fixture with datanode3 unreachable, as the runner leaves it. */
function withoutDatanode3(reason: string): Partial<DoctorContext> {
  const base = context();
  return {
    hosts: new Map([...base.hosts].filter(([name]) => name !== 'datanode3')),
    facts: new Map([...base.facts].filter(([name]) => name !== 'datanode3')),
    unreachable: new Map([['datanode3', reason]]),
  };
}

describe("doctor's hosts checks", () => {
  it('a healthy installation: every check passes on every host, one result per host', async () => {
    const ctx = context();
    for (const check of HOSTS_CHECKS) {
      const results = await run(check.id, ctx);
      if (check.id === 'hosts.apt-sources') {
        expect(results.map((result) => result.status)).toEqual(['skip']);
        continue;
      }
      expect(failing(results), check.id).toEqual([]);
      if (check.id !== 'hosts.clock-skew')
        expect(
          results.map((result) => result.host),
          check.id,
        ).toEqual(names);
    }
  });

  it('an unreachable host: hosts.reachable fails with the reason and the ssh command; the others leave it out', async () => {
    const ctx = context(
      withoutDatanode3('datanode3: connection refused on 192.168.122.33 port 22 (nothing listens there)'),
    );
    const reachable = await run('hosts.reachable', ctx);
    expect(failing(reachable)).toEqual(['fail datanode3']);
    const down = reachable.find((result) => result.status === 'fail');
    expect(down?.summary).toContain('connection refused on 192.168.122.33 port 22');
    expect(down?.fix).toContain('`ssh root@192.168.122.33`');
    expect(down?.evidence).toEqual(['ssh root@192.168.122.33:22']);
    for (const id of ['hosts.sudo', 'hosts.os', 'hosts.hostnames'])
      expect(
        (await run(id, ctx)).some((result) => result.host === 'datanode3'),
        id,
      ).toBe(false);
  });

  it('a changed host key: the fix is to compare the key on the console, not to open a firewall', async () => {
    const ctx = context(withoutDatanode3('the SSH host key of datanode3 has changed: ...'));
    const [down] = failing(await run('hosts.reachable', ctx));
    expect(down).toBe('fail datanode3');
    const result = (await run('hosts.reachable', ctx)).find((one) => one.status === 'fail');
    expect(result?.fix).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
  });

  it('an unknown key refused by StrictHostKeyChecking: the fix is to check and add it, not to remove a recorded one', async () => {
    const ctx = context(
      withoutDatanode3(
        'the SSH host key of datanode3 (192.168.122.33) is not known, and unknown keys are refused',
      ),
    );
    const result = (await run('hosts.reachable', ctx)).find((one) => one.status === 'fail');
    expect(result?.fix).toContain('ssh-keyscan 192.168.122.33 >> ~/.ssh/known_hosts');
    expect(result?.fix).not.toContain('ssh-keygen -R');
    // Not every message that mentions a host key is a changed one.
    const unrecorded = context(
      withoutDatanode3(
        'datanode3: the host key trusted on first use could not be recorded in /x/known_hosts',
      ),
    );
    const other = (await run('hosts.reachable', unrecorded)).find((one) => one.status === 'fail');
    expect(other?.fix).not.toContain('ssh-keygen -R');
  });

  it('a key trusted for the first time in this run: a warning with the fingerprint to compare', async () => {
    const ctx = context({ newHostKeys: new Map([['kubenode2', 'SHA256:abcdef']]) });
    const results = await run('hosts.host-key', ctx);
    expect(failing(results)).toEqual(['warn kubenode2']);
    const warned = results.find((result) => result.status === 'warn');
    expect(warned?.evidence).toEqual(['offered: SHA256:abcdef (not recorded)']);
    expect(warned?.fix).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
  });

  it('sudo: a host where commands do not run as root fails', async () => {
    const base = context();
    const hosts = new Map(base.hosts);
    hosts.set('kubenode3', remote('kubenode3', { 'id -u': { stdout: '1000\n' } }));
    const results = await run('hosts.sudo', { ...base, hosts });
    expect(failing(results)).toEqual(['fail kubenode3']);
    expect(results.find((result) => result.status === 'fail')?.evidence).toEqual([
      'id -u (logged in as root): 1000',
    ]);
  });

  it('clock skew: the host minutes off fails with its measured offset, the others pass', async () => {
    const base = context();
    const skewed = new Map(base.facts);
    skewed.set('datanode2', facts('datanode2', { clockOffsetMs: 300_400 }));
    skewed.set('kubenode1', facts('kubenode1', { clockOffsetMs: -40 }));
    const results = await run('hosts.clock-skew', { ...base, facts: skewed });
    expect(failing(results)).toEqual(['fail datanode2']);
    const [skew] = results;
    expect(skew?.summary).toContain('300.4 s off');
    expect(skew?.evidence).toContain('datanode2: clock +300.400 s against the admin host');
    expect(skew?.evidence).toContain('max pairwise skew: 300.440 s (datanode2 against kubenode1)');
    expect(skew?.evidence.at(-1)).toContain('tolerance: within 0.5 s');
    // Agreeing clocks: one pass for the installation, with every offset as evidence.
    const agreeing = await run('hosts.clock-skew', base);
    expect(agreeing.map((result) => result.status)).toEqual(['pass']);
    expect(agreeing[0]?.evidence).toHaveLength(names.length + 2);
    expect(agreeing[0]?.evidence).toContain('max pairwise skew: 0.000 s (assethost against kubenode1)');
  });

  it("docs/doctor.md's --json example is a result as hosts.clock-skew emits it", async () => {
    const documented = /## The `--json` report[\s\S]*?```json\n([\s\S]*?)```/.exec(
      readFileSync(new URL('../../../docs/doctor.md', import.meta.url), 'utf8'),
    )?.[1];
    const example = (JSON.parse(documented ?? '{}') as { results?: DoctorResult[] }).results?.[0];
    const kubenodes = ['kubenode1', 'kubenode2', 'kubenode3'];
    const offsets: Record<string, number> = { kubenode1: 12, kubenode2: 300_105, kubenode3: -4 };
    const three = context({
      inventory: { ...inventory, hosts: inventory.hosts.filter((host) => kubenodes.includes(host.name)) },
      facts: new Map(kubenodes.map((name) => [name, facts(name, { clockOffsetMs: offsets[name] ?? 0 })])),
    });
    const results = await run('hosts.clock-skew', three);
    expect(results.filter((result) => result.status !== 'pass')).toEqual([example]);
  });

  it('OS and hardware follow the preflight allowances: an error without them, a warning with them', async () => {
    const base = context();
    const debian = new Map(base.facts);
    debian.set(
      'kubenode1',
      facts('kubenode1', { os: { id: 'debian', versionId: '12', prettyName: 'Debian 12' } }),
    );
    expect(failing(await run('hosts.os', { ...base, facts: debian }))).toEqual(['fail kubenode1']);
    const allowed = { allowUnsupportedOs: true, allowUndersized: true };
    expect(failing(await run('hosts.os', { ...base, facts: debian, preflight: allowed }))).toEqual([
      'warn kubenode1',
    ]);
    const small = new Map(base.facts);
    small.set('datanode1', facts('datanode1', { cpus: 1 }));
    expect(failing(await run('hosts.hardware', { ...base, facts: small }))).toEqual(['fail datanode1']);
  });

  it('hostnames: a shared name warns before bootstrap-host and fails after it; a shared machine-id fails', async () => {
    const base = context();
    const twins = new Map(base.facts);
    twins.set('datanode1', facts('datanode1', { hostname: 'ubuntu' }));
    twins.set('datanode2', facts('datanode2', { hostname: 'ubuntu' }));
    expect(failing(await run('hosts.hostnames', { ...base, facts: twins }))).toEqual([
      'warn datanode1',
      'warn datanode2',
    ]);
    const after = { succeededSteps: new Set<StepId>(['bootstrap-host.hostname']), kubeconfig: undefined };
    const results = await run('hosts.hostnames', { ...base, facts: twins, installed: after });
    // Each: renamed since bootstrap, and a twin of the other.
    expect(failing(results)).toEqual([
      'fail datanode1',
      'fail datanode1',
      'fail datanode2',
      'fail datanode2',
    ]);
    const clones = new Map(base.facts);
    clones.set('kubenode2', facts('kubenode2', { machineId: 'kubenode1-machine-id' }));
    expect(failing(await run('hosts.hostnames', { ...base, facts: clones }))).toEqual([
      'fail kubenode1',
      'fail kubenode2',
    ]);
  });

  it('apt sources after bootstrap-host: the bundle repository alone passes, missing fails, others warn', async () => {
    const bundle =
      'deb [signed-by=/etc/apt/keyrings/wire-bundle.asc] http://192.168.122.10:8080/debs-jammy/public jammy main';
    const listing = (extra: string) => `/etc/apt/sources.list.d/wire-bundle.list:${bundle}\n${extra}`;
    const internet = [
      '/etc/apt/sources.list.d/ubuntu.sources:Types: deb',
      '/etc/apt/sources.list.d/ubuntu.sources:URIs: http://archive.ubuntu.com/ubuntu/',
      '/etc/apt/sources.list.d/ubuntu.sources:Suites: jammy',
    ].join('\n');
    const command = "grep -Hs '' /etc/apt/sources.list /etc/apt/sources.list.d/*";
    const base = context({
      installed: { succeededSteps: new Set(['bootstrap-host.apt-sources']), kubeconfig: undefined },
    });
    const hosts = new Map(base.hosts);
    hosts.set(
      'kubenode1',
      remote('kubenode1', { [command]: { stdout: listing('/etc/apt/sources.list:# moved\n') } }),
    );
    hosts.set('kubenode2', remote('kubenode2', { [command]: { stdout: listing(internet) } }));
    hosts.set('kubenode3', remote('kubenode3', { [command]: { stdout: internet } }));
    const results = await run('hosts.apt-sources', { ...base, hosts: new Map([...hosts].slice(0, 3)) });
    expect(results.map((result) => `${result.status} ${result.host}`)).toEqual([
      'pass kubenode1',
      'warn kubenode2',
      'fail kubenode3',
    ]);
    expect(results[2]?.evidence).toEqual([
      `expected: ${bundle}`,
      'found: http://archive.ubuntu.com/ubuntu (/etc/apt/sources.list.d/ubuntu.sources)',
    ]);
    expect(results[1]?.summary).toContain('http://archive.ubuntu.com/ubuntu');
  });
});

describe('reading apt sources', () => {
  it('one-line and deb822 sources, without comments, deb-src or disabled stanzas', () => {
    const output = [
      '/etc/apt/sources.list:# deb http://old.example/ubuntu jammy main',
      '/etc/apt/sources.list:deb-src http://src.example/ubuntu jammy main',
      '/etc/apt/sources.list:deb [trusted=yes] file:/srv/lab-apt/ ./',
      '/etc/apt/sources.list.d/a.sources:Types: deb deb-src',
      '/etc/apt/sources.list.d/a.sources:URIs: http://a.example/ http://b.example',
      '/etc/apt/sources.list.d/a.sources:',
      '/etc/apt/sources.list.d/a.sources:Types: deb',
      '/etc/apt/sources.list.d/a.sources:URIs: http://off.example',
      '/etc/apt/sources.list.d/a.sources:Enabled: no',
      '/etc/apt/sources.list.d/notes.txt:deb http://ignored.example ./',
    ].join('\n');
    expect(parseAptSources(output).map((source) => source.uri)).toEqual([
      'file:/srv/lab-apt',
      'http://a.example',
      'http://b.example',
    ]);
    expect(
      judgeAptSources('h', 'deb [trusted=yes] file:/srv/lab-apt ./', parseAptSources(output)).status,
    ).toBe('warn');
  });
});
