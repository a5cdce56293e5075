import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, type LabWorkspace, labWorkspace, runLabCli, started } from './lab-cli.js';
import { connectLabHost, labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';

/**
 * The engine on five real hosts through `apply` (the lab play: an apt package from the lab
 * repository, a user, a persisted sysctl, configuration from templates, a systemd service):
 * the plan lists exactly what apply then changes, a second apply changes nothing, and a
 * changed template input re-runs only the step that uses it. Asserted from the --json events.
 */

const HOSTS = labHosts().slice(0, 5);
const [FIRST, SECOND] = HOSTS;
if (!FIRST || !SECOND) throw new Error('the lab needs five hosts');
let workspace: LabWorkspace;

beforeAll(async () => {
  await freshHosts(HOSTS);
  workspace = labWorkspace(5);
}, 60_000);
afterAll(() => freshHosts(HOSTS), 60_000);

const key = (event: { step: string; host: string }) => `${event.step} ${event.host}`;

describe('apply of the lab play on five hosts', () => {
  let planned: Map<string, string[]>;

  it('plans before the first apply, changing nothing', async () => {
    const plan = await runLabCli(workspace, ['apply', '--plan', '--json']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const steps = finished(plan.events);
    expect(steps).toHaveLength(6 * 5);
    expect(steps.every((step) => step.status === 'would-change')).toBe(true);
    planned = new Map(steps.map((step) => [key(step), step.changes]));
    // Nothing was changed by the plan: the package is still not installed anywhere.
    const ssh = await connectLabHost(FIRST);
    expect((await ssh.exec('dpkg-query -W wil-hello')).exitCode).not.toBe(0);
    ssh.close();
  });

  it('applies exactly the planned changes, and the hosts are as the play says', async () => {
    const apply = await runLabCli(workspace, ['apply', '--json']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const steps = finished(apply.events);
    expect(steps).toHaveLength(30);
    for (const step of steps) {
      expect(step.status, key(step)).toBe('changed');
      expect(step.changes, key(step)).toEqual(planned.get(key(step)));
    }
    expect(apply.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'succeeded' });
    for (const host of HOSTS) {
      const ssh = await connectLabHost(host);
      const check = await ssh.exec(
        [
          `dpkg-query -W -f='\${Status}\\n' wil-hello`,
          'systemctl is-active wil-hello.service',
          'systemctl is-enabled wil-hello.service',
          'id -nG wilhello',
          'cat /etc/sysctl.d/60-wil-lab.conf',
          'cat /etc/wil-hello/hello.conf',
        ].join('; '),
      );
      ssh.close();
      expect(check.stdout).toContain('install ok installed');
      expect(check.stdout).toContain('\nactive\nenabled\nwilhello\n');
      expect(check.stdout).toContain('net.ipv4.ip_forward = 1');
      expect(check.stdout).toContain(`wil-hello on ${host.name}`);
      expect(check.stdout).toContain('greeting=hello');
    }
  }, 90_000);

  it('changes nothing on a second apply: every step is current', async () => {
    const again = await runLabCli(workspace, ['apply', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const steps = finished(again.events);
    expect(steps).toHaveLength(30);
    expect(steps.filter((step) => step.status !== 'current')).toEqual([]);
    expect(started(again.events)).toEqual([]);
  });

  it('plans nothing after a successful apply', async () => {
    const plan = await runLabCli(workspace, ['apply', '--plan']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('Nothing to do');
    expect(plan.stdout).toMatch(/0 steps would change, 30 current/);
  });

  it('re-runs only the step whose template input changed, and restarts the service', async () => {
    const ssh = await connectLabHost(SECOND);
    const pidBefore = (await ssh.exec('systemctl show -p MainPID --value wil-hello')).stdout.trim();
    workspace.setVars({ greeting: 'good evening' });
    const apply = await runLabCli(workspace, ['apply', '--json']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const steps = finished(apply.events);
    const rerun = steps.filter((step) => step.status !== 'current');
    expect(rerun.map((step) => step.step)).toEqual(Array(5).fill('lab.hello'));
    for (const step of rerun) {
      expect(step.status).toBe('changed');
      expect(step.changes.join('\n')).toContain('/etc/wil-hello/hello.conf');
      expect(step.changes.join('\n')).toContain('restart wil-hello.service');
    }
    const after = await ssh.exec(
      'systemctl show -p MainPID --value wil-hello; cat /etc/wil-hello/hello.conf',
    );
    ssh.close();
    const [pidAfter] = after.stdout.split('\n');
    expect(pidAfter).not.toBe(pidBefore);
    expect(after.stdout).toContain('greeting=good evening');
  }, 60_000);

  it('shows the checkpoint table', async () => {
    const status = await runLabCli(workspace, ['status']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/lab\.packages\s+succeeded on 5\/5 hosts/);
    expect(status.stdout).toMatch(/lab\.hello\s+succeeded on 5\/5 hosts/);
  });

  it('runs only what --only selects, and --force runs a current step again', async () => {
    const run = await runLabCli(workspace, ['apply', '--json', '--only', 'lab.motd', '--force', 'lab.motd']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(new Set(started(run.events).map((e) => e.step))).toEqual(new Set(['lab.motd']));
    expect(finished(run.events).map((e) => e.status)).toEqual(Array(5).fill('unchanged'));
    const skipped = run.events.filter((e) => e.type === 'step-skipped');
    expect(skipped).toHaveLength(5);
    expect(skipped[0]).toMatchObject({ reason: 'not --only lab.motd' });
  });

  it('refuses an unknown step name before contacting any host', async () => {
    const run = await runLabCli(workspace, ['apply', '--from', 'lab.nothing']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--from lab.nothing: there is no such step or stage');
    expect(run.stdout).not.toContain('Apply:');
  });
});
