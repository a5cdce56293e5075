import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import type { StateFile } from '../../src/state/store.js';
import { finished, type LabWorkspace, labWorkspace, runLabCli } from './lab-cli.js';
import { type LabHost, labHosts } from './lab-hosts.js';
import { freshHosts, labNumber } from './lab-reset.js';
import { onHost } from './wire-lab.js';

/**
 * Drift and a rebuilt host, on real lab hosts with the lab play (a systemd service, its
 * configuration, a message-of-the-day file): what a checkpoint hides, what --check-drift finds
 * and repairs, and a host reinstalled under the same name (test/lab/lab.sh rebuild: a fresh
 * disk, a new machine-id and host key) detected and installed again without --force.
 */

const LAB = fileURLToPath(new URL('./lab.sh', import.meta.url));
const HOSTS = labHosts().slice(0, 5);
const [, SECOND, THIRD, , FIFTH] = HOSTS;
let workspace: LabWorkspace;

beforeAll(async () => {
  await freshHosts(HOSTS);
  workspace = labWorkspace(5);
  const first = await runLabCli(workspace, ['apply', '--json']);
  expect(first.exitCode, first.stderr).toBe(0);
}, 180_000);
afterAll(() => freshHosts(HOSTS), 90_000);

const byStepAndHost = (events: EngineEvent[]) =>
  new Map(finished(events).map((e) => [`${e.step} ${e.host}`, e]));
const readState = () =>
  JSON.parse(readFileSync(join(workspace.dir, '.wire-install', 'state.json'), 'utf8')) as StateFile;

describe('drift on a running installation', () => {
  it('a stopped service and an edited file hide behind current checkpoints; --check-drift shows them, on those hosts only', async () => {
    await onHost(SECOND, 'systemctl stop wil-hello.service');
    await onHost(THIRD, "echo 'edited by hand' >> /etc/wil-lab-motd");

    const trusting = await runLabCli(workspace, ['apply', '--plan', '--json']);
    expect(trusting.exitCode, trusting.stderr).toBe(0);
    expect(finished(trusting.events).filter((e) => e.status !== 'current')).toEqual([]);

    const plan = await runLabCli(workspace, ['apply', '--plan', '--check-drift', '--json']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const drifted = finished(plan.events).filter((e) => e.drift);
    expect(drifted.map((e) => `${e.step} ${e.host}`).sort()).toEqual(
      [`lab.hello ${SECOND?.name}`, `lab.motd ${THIRD?.name}`].sort(),
    );
    const events = byStepAndHost(plan.events);
    expect(events.get(`lab.hello ${SECOND?.name}`)?.changes.join('\n')).toMatch(/start wil-hello\.service/);
    expect(events.get(`lab.motd ${THIRD?.name}`)?.changes.join('\n')).toMatch(/\/etc\/wil-lab-motd/);
    // The plan changed nothing.
    expect((await onHost(SECOND, 'systemctl is-active wil-hello.service || true')).trim()).toBe('inactive');

    const text = await runLabCli(workspace, ['apply', '--plan', '--check-drift']);
    expect(text.stdout).toContain(`lab.motd: drift: `);
  });

  it('apply --check-drift repairs both and says so; the next drift check finds nothing', async () => {
    const repair = await runLabCli(workspace, ['apply', '--check-drift', '--json']);
    expect(repair.exitCode, repair.stderr).toBe(0);
    const events = byStepAndHost(repair.events);
    expect(events.get(`lab.hello ${SECOND?.name}`)).toMatchObject({ status: 'changed', drift: true });
    expect(events.get(`lab.motd ${THIRD?.name}`)).toMatchObject({ status: 'changed', drift: true });
    expect((await onHost(SECOND, 'systemctl is-active wil-hello.service')).trim()).toBe('active');
    expect(await onHost(THIRD, 'cat /etc/wil-lab-motd')).not.toContain('edited by hand');

    const after = await runLabCli(workspace, ['apply', '--plan', '--check-drift', '--json']);
    expect(finished(after.events).filter((e) => e.drift)).toEqual([]);
  });
});

describe('a host rebuilt under the same name', () => {
  it('is refused for its new host key; once the key is checked, it is named as replaced and installed again, the others current', async () => {
    const before = readState().hosts?.[FIFTH?.name ?? ''];
    expect(before?.machineId).toMatch(/^[0-9a-f]{32}$/);
    execFileSync('bash', [LAB, 'rebuild', labNumber(FIFTH as LabHost)], {
      stdio: 'inherit',
      timeout: 120_000,
    });

    const refused = await runLabCli(workspace, ['apply', '--json']);
    expect(refused.exitCode).toBe(1);
    expect(refused.events.find((e) => e.type === 'failure')).toMatchObject({
      host: FIFTH?.name,
      step: 'connect',
      error: expect.stringContaining(`the SSH host key of ${FIFTH?.name} has changed`),
    });

    // What the message tells the operator to do, once the new key is checked on the console.
    execFileSync(
      'ssh-keygen',
      ['-R', FIFTH?.address ?? '', '-f', join(workspace.home, '.ssh', 'known_hosts')],
      {
        stdio: 'ignore',
      },
    );
    const plan = await runLabCli(workspace, ['apply', '--plan', '--json']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const replaced = plan.events.filter((e) => e.type === 'host-replaced');
    expect(replaced.map((e) => e.host)).toEqual([FIFTH?.name]);
    const evidence = replaced[0]?.type === 'host-replaced' ? replaced[0].evidence.join('\n') : '';
    expect(evidence).toContain(`machine-id was ${before?.machineId}`);
    expect(evidence).toContain(`SSH host key was ${before?.hostKey}`);
    const planned = finished(plan.events);
    expect(planned.filter((e) => e.host === FIFTH?.name).every((e) => e.status === 'would-change')).toBe(
      true,
    );
    expect(planned.filter((e) => e.host !== FIFTH?.name).every((e) => e.status === 'current')).toBe(true);

    const apply = await runLabCli(workspace, ['apply', '--json']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const applied = finished(apply.events);
    expect(applied.filter((e) => e.host === FIFTH?.name).every((e) => e.status === 'changed')).toBe(true);
    expect(applied.filter((e) => e.host !== FIFTH?.name).every((e) => e.status === 'current')).toBe(true);
    expect((await onHost(FIFTH, 'systemctl is-active wil-hello.service')).trim()).toBe('active');
    expect(readState().hosts?.[FIFTH?.name ?? '']?.machineId).not.toBe(before?.machineId);

    const again = await runLabCli(workspace, ['apply', '--json']);
    expect(again.events.some((e) => e.type === 'host-replaced')).toBe(false);
    expect(finished(again.events).every((e) => e.status === 'current')).toBe(true);
  }, 240_000);
});
