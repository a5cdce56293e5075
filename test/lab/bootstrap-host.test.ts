import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, type LabWorkspace, labWorkspace, started } from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';
import { ALLOW, onHost, runWireCli } from './wire-lab.js';

/**
 * Wire's own stages on five lab hosts, through the real CLI: preflight on measured facts, then
 * bootstrap-host (hostname, /etc/hosts, the bundle's apt repository as the only source (the
 * lab's repository standing in for it), chrony with the first host as the reference, swap,
 * kernel modules and sysctls). The lab runs Debian 12 in containers on a 2-core machine, so
 * preflight needs --allow-unsupported-os and --allow-undersized, and what a container cannot do
 * (load modules, write /proc/sys, let chrony set the clock) is reported as notes.
 */

const HOSTS = labHosts().slice(0, 5);
/** The name of the second host, the one set up by hand with a stray name. */
const strayHost = HOSTS[1]?.name ?? '';
/** strayHost, escaped for a regular expression. */
const strayHostPattern = strayHost.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ONLY = ['--only', 'preflight.ssh,preflight.host-facts,bootstrap-host'];
let workspace: LabWorkspace;

beforeAll(async () => {
  await freshHosts(HOSTS);
  // One host with a stray name and a source of its own, as a host that was set up by hand.
  await onHost(
    HOSTS[1],
    'hostname strayname; echo strayname > /etc/hostname; echo "deb http://deb.debian.org/debian bookworm main" > /etc/apt/sources.list.d/debian.list',
  );
  workspace = labWorkspace(5);
}, 90_000);
// Leaves the shared lab as booted for the test files after this one.
afterAll(async () => {
  await onHost(
    HOSTS[1],
    `hostname ${strayHost}; echo ${strayHost} > /etc/hostname; rm -f /etc/apt/sources-moved-by-wire-install/debian.list`,
  );
  await freshHosts(HOSTS);
}, 90_000);

const key = (event: { step: string; host: string }) => `${event.step} ${event.host}`;

describe("Wire's preflight and bootstrap-host stages on five lab hosts", () => {
  it('preflight refuses the lab as it is (Debian, 2 cores), changing nothing', async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, '--json']);
    expect(run.exitCode).toBe(1);
    const failures = run.events.filter((e) => e.type === 'failure');
    expect(failures.map((e) => e.host).sort()).toEqual(HOSTS.map((h) => h.name).sort());
    expect(JSON.stringify(failures[0])).toContain('error preflight.os');
    expect(started(run.events).some((e) => e.step.startsWith('bootstrap-host'))).toBe(false);
  });

  let planned: Map<string, string[]>;

  it('plans the bootstrap with the allowances, which the output always shows', async () => {
    const plan = await runWireCli(workspace, ['apply', '--plan', ...ONLY, ...ALLOW, '--json']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('--allow-unsupported-os is set');
    const steps = finished(plan.events).filter((e) => e.step.startsWith('bootstrap-host'));
    planned = new Map(steps.map((e) => [key(e), e.changes]));
    const marked = planned.get(`bootstrap-host.hostname ${HOSTS[0]?.name}`) ?? [];
    expect(marked.join('\n')).toContain('/etc/wire-install/installed-by');
    expect(planned.get(`bootstrap-host.hostname ${strayHost}`)).toEqual([
      `set hostname strayname -> ${strayHost}`,
      `write /etc/hostname (strayname -> ${strayHost})`,
      ...marked,
    ]);
  });

  it("applies the planned changes (what chrony's package does itself aside), setting the hosts up as Wire needs", async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    for (const step of finished(run.events).filter((e) => e.step.startsWith('bootstrap-host'))) {
      if (step.step !== 'bootstrap-host.time-sync') {
        expect(step.changes, key(step)).toEqual(planned.get(key(step)));
        continue;
      }
      // chrony's package ships its own chrony.conf and enables its unit when it installs, which
      // the plan cannot see: apply does what was planned, finding some of it done already.
      const normal = (change: string) => change.replace(/^(create|update) (\S+).*$/, 'write $2');
      const plannedHere = (planned.get(key(step)) ?? []).map(normal);
      expect(
        step.changes.map(normal).every((change) => plannedHere.includes(change)),
        key(step),
      ).toBe(true);
      expect(step.changes.map(normal)).toContain('write /etc/chrony/chrony.conf');
    }

    const first = await onHost(
      HOSTS[0],
      'cat /etc/hosts /etc/chrony/chrony.conf; ls /etc/apt/sources.list.d',
    );
    for (const host of HOSTS) expect(first).toContain(`${host.address} ${host.name}`);
    expect(first).toContain('local stratum 8');
    expect(first).toContain(`allow ${HOSTS[4]?.address}`);
    expect(first).toMatch(/\nwire-bundle\.list\n$/);
    const second = await onHost(
      HOSTS[1],
      `hostname; cat /etc/hostname /etc/chrony/chrony.conf; ls /etc/apt/sources.list.d /etc/apt/sources-moved-by-wire-install; dpkg-query -W -f='\${Status}\\n' chrony; cat /etc/modules-load.d/wire-install.conf /etc/sysctl.d/60-wire-install-kubernetes.conf`,
    );
    expect(second).toMatch(new RegExp(`^${strayHostPattern}\\n${strayHostPattern}\\n`));
    expect(second).toContain(`server ${HOSTS[0]?.address} iburst`);
    expect(second).toContain('debian.list'); // moved away, kept
    expect(second).toContain('install ok installed');
    expect(second).toContain('br_netfilter');
    expect(second).toContain('net.bridge.bridge-nf-call-iptables = 1');
    // What a container cannot do is said, not failed.
    const notes = finished(run.events).flatMap((e) => e.notes);
    expect(notes.some((note) => note.includes('chrony.service does not run here'))).toBe(true);
  }, 90_000);

  it('changes nothing on a second apply; the checks run again', async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const steps = finished(run.events);
    expect(steps.filter((e) => e.step.startsWith('bootstrap-host') && e.status !== 'current')).toEqual([]);
    expect(new Set(steps.filter((e) => e.status === 'unchanged').map((e) => e.step))).toEqual(
      new Set(['preflight.ssh', 'preflight.host-facts']),
    );
  });

  it('marks the hosts as this installation, and refuses a host marked by another one', async () => {
    expect(await onHost(HOSTS[2], 'cat /etc/wire-install/installed-by')).toBe('wire.lab.test\n');
    await onHost(HOSTS[2], 'echo other.example.com > /etc/wire-install/installed-by');
    try {
      const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
      expect(run.exitCode).toBe(1);
      const failed = finished(run.events).filter((e) => e.status === 'failed');
      expect(failed.map((e) => `${e.step} ${e.host}`)).toEqual([`preflight.host-facts ${HOSTS[2]?.name}`]);
      const output = `${run.stdout}${run.stderr}`;
      expect(output).toContain('preflight.other-installation');
      expect(output).toContain('installed-by says other.example.com');
    } finally {
      await onHost(HOSTS[2], 'echo wire.lab.test > /etc/wire-install/installed-by');
    }
  });
});
