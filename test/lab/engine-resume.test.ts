import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/state/store.js';
import {
  finished,
  labWorkspace,
  parseEvents,
  runLabCli,
  started,
  startLabCli,
  waitForEvent,
} from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { freshHosts, labNumber } from './lab-reset.js';

/**
 * Resuming: a host lost in the middle of a stage, and Ctrl-C in the middle of a run. Both
 * leave a consistent state file, and the next apply runs exactly what had not succeeded
 * (asserted from the events, not from timing). Also: a second apply while one runs is refused.
 */

const LAB = fileURLToPath(new URL('./lab.sh', import.meta.url));
const HOSTS = labHosts().slice(0, 5);
const [h1, h2, h3, h4, h5] = HOSTS;
if (!h1 || !h2 || !h3 || !h4 || !h5) throw new Error('the lab needs five hosts');

beforeEach(() => freshHosts(HOSTS), 60_000);
afterAll(() => {
  execFileSync('bash', [LAB, 'start', labNumber(h3)]); // in case a test stopped before starting it again
  return freshHosts(HOSTS);
}, 90_000);

const readState = (dir: string) =>
  JSON.parse(readFileSync(join(dir, '.wire-install', 'state.json'), 'utf8')) as StateFile;

describe('a host lost in the middle of a stage', () => {
  it('fails naming it, keeps the others finished work, and completes after it is back', async () => {
    const workspace = labWorkspace(5);
    workspace.setVars({ slowSeconds: 4 });
    const run = startLabCli(workspace, ['apply', '--json']);
    await waitForEvent(run, (e) => e.type === 'step-started' && e.step === 'lab.slow' && e.host === h3.name);
    execFileSync('bash', [LAB, 'stop', labNumber(h3)]);
    const result = await run;
    expect(result.exitCode).toBe(1);
    const events = parseEvents(String(result.stdout));
    const slow = finished(events).filter((e) => e.step === 'lab.slow');
    expect(slow.find((e) => e.host === h3.name)?.status).toBe('failed');
    expect(
      slow
        .filter((e) => e.status === 'changed')
        .map((e) => e.host)
        .sort(),
    ).toEqual([h1, h2, h4, h5].map((host) => host.name).sort());
    expect(events.find((e) => e.type === 'failure')).toMatchObject({ host: h3.name, step: 'lab.slow' });
    const state = readState(workspace.dir);
    expect(state.steps['lab.slow']?.[h3.name]?.status).toBe('failed');
    expect(state.steps['lab.slow']?.[h1.name]?.status).toBe('succeeded');
    expect(existsSync(join(workspace.dir, '.wire-install', 'lock'))).toBe(false);

    execFileSync('bash', [LAB, 'start', labNumber(h3)]);
    const resumed = await runLabCli(workspace, ['apply', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(started(resumed.events).map((e) => `${e.step} ${e.host}`)).toEqual([`lab.slow ${h3.name}`]);
    expect(finished(resumed.events).filter((e) => e.status !== 'current')).toHaveLength(1);
  }, 120_000);
});

describe('Ctrl-C in the middle of a run', () => {
  it('refuses a second apply, exits 130 with a consistent state, and the next run resumes', async () => {
    const workspace = labWorkspace(5);
    workspace.setVars({ slowSeconds: 3 });
    const run = startLabCli(workspace, ['apply', '--json', '--concurrency', '2']);
    await waitForEvent(run, (e) => e.type === 'step-started' && e.step === 'lab.slow');

    const second = await runLabCli(workspace, ['apply']);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(
      /another wire-install run holds the lock: wire-install apply .*\(pid \d+ on /,
    );

    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
    const events = parseEvents(String(result.stdout));
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'interrupted' });
    // Work that had started was finished and recorded; nothing new started after Ctrl-C.
    const startedSlow = started(events)
      .filter((e) => e.step === 'lab.slow')
      .map((e) => e.host);
    const doneSlow = finished(events).filter((e) => e.step === 'lab.slow');
    expect(doneSlow.map((e) => e.host).sort()).toEqual([...startedSlow].sort());
    expect(doneSlow.every((e) => e.status === 'changed')).toBe(true);
    expect(startedSlow.length).toBeLessThan(5);
    const state = readState(workspace.dir);
    expect(Object.keys(state.steps['lab.slow'] ?? {}).sort()).toEqual([...startedSlow].sort());
    expect(existsSync(join(workspace.dir, '.wire-install', 'lock'))).toBe(false);

    const resumed = await runLabCli(workspace, ['apply', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const rest = HOSTS.map((h) => h.name).filter((name) => !startedSlow.includes(name));
    expect(
      started(resumed.events)
        .map((e) => `${e.step} ${e.host}`)
        .sort(),
    ).toEqual(rest.map((name) => `lab.slow ${name}`).sort());
  }, 120_000);
});

describe('a second Ctrl-C', () => {
  it('exits at once; the lock it leaves is stale, and the next apply takes it over and resumes', async () => {
    const workspace = labWorkspace(5);
    workspace.setVars({ slowSeconds: 20 });
    const run = startLabCli(workspace, ['apply', '--json']);
    await waitForEvent(run, (e) => e.type === 'step-started' && e.step === 'lab.slow');
    const interrupted = Date.now();
    run.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
    // Not after the 20 s of slow work: the process left at once (this bounds, it does not time, the exit).
    expect(Date.now() - interrupted).toBeLessThan(15_000);
    expect(existsSync(join(workspace.dir, '.wire-install', 'lock'))).toBe(true);
    // Everything before lab.slow was recorded as it ended, so the state file is whole.
    expect(readState(workspace.dir).steps['lab.motd']?.[h5.name]?.status).toBe('succeeded');

    workspace.setVars({ slowSeconds: 0 });
    const resumed = await runLabCli(workspace, ['apply', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('took over a stale lock');
    expect(new Set(started(resumed.events).map((e) => e.step))).toEqual(new Set(['lab.slow']));
  }, 120_000);
});
