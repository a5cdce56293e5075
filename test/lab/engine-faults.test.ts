import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import type { StateFile } from '../../src/state/store.js';
import {
  finished,
  type LabWorkspace,
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
 * A bad day for an operator (issue 15): a host partitioned in the middle of a stage, a host
 * partitioned while it has nothing to do, a host switched off mid-command, the state folder on a
 * full disk. Each run ends with exit 1 and a message naming what failed, where, at which step
 * and what to do; the steps in flight on the other hosts run to their end and are recorded in a
 * valid state file; no lock is left; and the next apply resumes without running a step that
 * succeeded. Partitions are real nftables rules dropping everything in the host's network
 * namespace; a power-off is lab.sh poweroff (its link down, then SIGKILL to every process of
 * the host). Every fault is undone after each test: the next test files need all five hosts.
 */

const LAB = fileURLToPath(new URL('./lab.sh', import.meta.url));
const HOSTS = labHosts().slice(0, 5);
const NAMES = HOSTS.map((host) => host.name);
const [h1, h2, h3, h4, h5] = HOSTS;
if (!h1 || !h2 || !h3 || !h4 || !h5) throw new Error('the lab needs five hosts');
/** The hosts that are not lost (all but the third), in the order a sort of their names gives. */
const OTHERS = [h1, h2, h4, h5].map((host) => host.name).sort();
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** What the default keepalive (5 s x 3) promises, with the margin issue 15 allows. */
const NAMED_WITHIN_MS = 20_000;

const netns = (name: string) => `wil-${name.replace(/^labhost/, '')}`;
const nft = (name: string, args: string[]) =>
  spawnSync('ip', ['netns', 'exec', netns(name), 'nft', ...args], { encoding: 'utf8' });

/** Drops every packet into and out of the host's network namespace. */
function partition(name: string): void {
  const rules = [
    'table inet wilpartition {',
    '  chain input { type filter hook input priority -300; policy drop; }',
    '  chain output { type filter hook output priority -300; policy drop; }',
    '}',
  ].join('\n');
  const result = spawnSync('ip', ['netns', 'exec', netns(name), 'nft', '-f', '-'], {
    input: rules,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`nft on ${name}: ${result.stderr}`);
}

function heal(name: string): void {
  nft(name, ['delete', 'table', 'inet', 'wilpartition']); // absent when not partitioned
}

const readState = (workspace: LabWorkspace) =>
  JSON.parse(readFileSync(join(workspace.dir, '.wire-install', 'state.json'), 'utf8')) as StateFile;
const lockLeft = (workspace: LabWorkspace) => existsSync(join(workspace.dir, '.wire-install', 'lock'));

/** No Node stack trace, no unhandled event, no "internal error": the user's environment is not a bug. */
function expectNoCrash(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
  expect(stderr).not.toContain('Unhandled');
  expect(stderr).not.toContain('internal error');
}

const failure = (events: EngineEvent[], host: string) =>
  events.find((e): e is Extract<EngineEvent, { type: 'failure' }> => e.type === 'failure' && e.host === host);

/** ms from `since` until the first --json event that matches. */
async function msUntil(
  run: ReturnType<typeof startLabCli>,
  since: () => number,
  matches: (event: EngineEvent) => boolean,
): Promise<number> {
  await waitForEvent(run, matches);
  return performance.now() - since();
}

const figures: string[] = [];

beforeEach(() => freshHosts(HOSTS), 60_000);
afterEach(() => {
  for (const name of NAMES) heal(name);
  execFileSync('bash', [LAB, 'start', labNumber(h3)]); // a no-op unless a test switched it off
});
afterAll(async () => {
  // The measured times, for the record (issue 15 asks for them).
  if (figures.length > 0) console.log(`partition -> message:\n  ${figures.join('\n  ')}`);
  await freshHosts(HOSTS);
}, 90_000);

/**
 * After the third host was lost in lab.slow: it is recorded failed, the other hosts succeeded, no
 * lock is left; once `restore` brings it back, the resume runs lab.slow on it and nothing else.
 */
const expectLostThenResumed = async (workspace: LabWorkspace, restore: () => void): Promise<void> => {
  const state = readState(workspace);
  expect(state.steps['lab.slow']?.[h3.name]?.status).toBe('failed');
  for (const host of OTHERS) expect(state.steps['lab.slow']?.[host]?.status).toBe('succeeded');
  expect(lockLeft(workspace)).toBe(false);
  restore();
  const resumed = await runLabCli(workspace, ['apply', '--json']);
  expect(resumed.exitCode, resumed.stderr).toBe(0);
  expect(started(resumed.events).map((e) => `${e.step} ${e.host}`)).toEqual([`lab.slow ${h3.name}`]);
};

describe('a host partitioned in the middle of a stage', () => {
  it('is named within 20 s, the others finish and are recorded, no lock; the resume runs only what failed', async () => {
    const workspace = labWorkspace(5);
    // The third host is partitioned as it starts; the others are still at work when it is named.
    workspace.setVars({
      slowSeconds: { [h1.name]: 25, [h2.name]: 25, [h3.name]: 5, [h4.name]: 25, [h5.name]: 25 },
    });
    const run = startLabCli(workspace, ['apply', '--json']);
    await waitForEvent(run, (e) => e.type === 'step-started' && e.step === 'lab.slow' && e.host === h3.name);
    let cut = 0;
    partition(h3.name);
    cut = performance.now();
    const named = await msUntil(
      run,
      () => cut,
      (e) => e.type === 'step-finished' && e.host === h3.name && e.status === 'failed',
    );
    figures.push(`mid-stage partition: ${(named / 1000).toFixed(1)} s`);
    expect(named).toBeLessThan(NAMED_WITHIN_MS);
    const result = await run;
    expectNoCrash(String(result.stderr));
    expect(result.exitCode).toBe(1);
    const events = parseEvents(String(result.stdout));
    expect(failure(events, h3.name)).toMatchObject({
      step: 'lab.slow',
      error: expect.stringContaining(`${h3.name}: ${h3.address} stopped answering while a command ran`),
      next: expect.stringContaining('apply resumes with the steps that did not finish'),
    });
    const slow = finished(events).filter((e) => e.step === 'lab.slow');
    expect(
      slow
        .filter((e) => e.status === 'changed')
        .map((e) => e.host)
        .sort(),
    ).toEqual(OTHERS);
    await expectLostThenResumed(workspace, () => heal(h3.name));
  }, 150_000);
});

describe('a host partitioned while it has nothing to do', () => {
  it('is named within 20 s with the step the run was at; the others finish it; the resume re-runs nothing', async () => {
    const workspace = labWorkspace(5);
    // The third host's part of lab.slow ends at once; then it sits idle while the others work.
    workspace.setVars({ slowSeconds: { [h1.name]: 25, [h2.name]: 25, [h4.name]: 25, [h5.name]: 25 } });
    const run = startLabCli(workspace, ['apply', '--json']);
    await waitForEvent(run, (e) => e.type === 'step-finished' && e.step === 'lab.slow' && e.host === h3.name);
    partition(h3.name);
    const cut = performance.now();
    const named = await msUntil(
      run,
      () => cut,
      (e) => e.type === 'host-unreachable' && e.host === h3.name,
    );
    figures.push(`idle partition: ${(named / 1000).toFixed(1)} s`);
    expect(named).toBeLessThan(NAMED_WITHIN_MS);
    const result = await run;
    expectNoCrash(String(result.stderr));
    expect(result.exitCode).toBe(1);
    const events = parseEvents(String(result.stdout));
    expect(failure(events, h3.name)).toMatchObject({
      step: 'lab.slow',
      error: expect.stringMatching(
        new RegExp(
          `^${escapeRegExp(h3.name)}: ${escapeRegExp(h3.address)} stopped answering: no answer to SSH keepalives for 15 s .*; none of its steps was running: the run was at step lab\\.slow`,
        ),
      ),
      next: expect.stringContaining('apply resumes with the steps that did not finish'),
    });
    // Every host finished lab.slow, the third before it went silent: all recorded as succeeded.
    const state = readState(workspace);
    for (const host of NAMES) expect(state.steps['lab.slow']?.[host]?.status).toBe('succeeded');
    expect(lockLeft(workspace)).toBe(false);

    heal(h3.name);
    const resumed = await runLabCli(workspace, ['apply', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(started(resumed.events)).toEqual([]);
  }, 150_000);
});

describe('a host switched off in the middle of a command', () => {
  it('is named as lost (not as the command failing) within 20 s; the others are recorded; the resume runs only it', async () => {
    const workspace = labWorkspace(5);
    workspace.setVars({
      slowSeconds: { [h1.name]: 25, [h2.name]: 25, [h3.name]: 5, [h4.name]: 25, [h5.name]: 25 },
    });
    const run = startLabCli(workspace, ['apply', '--json']);
    await waitForEvent(run, (e) => e.type === 'step-started' && e.step === 'lab.slow' && e.host === h3.name);
    execFileSync('bash', [LAB, 'poweroff', labNumber(h3)]);
    const off = performance.now();
    const named = await msUntil(
      run,
      () => off,
      (e) => e.type === 'step-finished' && e.host === h3.name && e.status === 'failed',
    );
    figures.push(`power-off: ${(named / 1000).toFixed(1)} s`);
    expect(named).toBeLessThan(NAMED_WITHIN_MS);
    const result = await run;
    expectNoCrash(String(result.stderr));
    expect(result.exitCode).toBe(1);
    const events = parseEvents(String(result.stdout));
    const lost = failure(events, h3.name);
    expect(lost).toMatchObject({
      step: 'lab.slow',
      error: expect.stringContaining(`${h3.name}: ${h3.address} stopped answering while a command ran`),
      next: expect.stringContaining(`check that ${h3.name} is up and reachable`),
    });
    expect(lost?.error).not.toContain('canceled');
    await expectLostThenResumed(workspace, () => execFileSync('bash', [LAB, 'start', labNumber(h3)]));
  }, 180_000);
});

describe('a host shut down in the middle of a systemd job', () => {
  it('is named as lost, not as the job its shutdown canceled; the others are recorded; the resume runs only it', async () => {
    const workspace = labWorkspace(5);
    workspace.setVars({
      slowSeconds: { [h1.name]: 20, [h2.name]: 20, [h3.name]: 8, [h4.name]: 20, [h5.name]: 20 },
      slowUnitOn: h3.name,
    });
    const run = startLabCli(workspace, ['apply', '--json']);
    await waitForEvent(run, (e) => e.type === 'step-started' && e.step === 'lab.slow' && e.host === h3.name);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the start job is under way
    execFileSync('bash', [LAB, 'stop', labNumber(h3)]); // a clean shutdown: systemd cancels the job first
    const result = await run;
    expectNoCrash(String(result.stderr));
    expect(result.exitCode).toBe(1);
    const events = parseEvents(String(result.stdout));
    const lost = failure(events, h3.name);
    expect(lost).toMatchObject({
      step: 'lab.slow',
      error: expect.stringContaining(
        `${h3.name}: the connection to ${h3.address} was lost (the host went down, rebooted or dropped off the network); the step failed as it went`,
      ),
      next: expect.stringContaining(`check that ${h3.name} is up and reachable`),
    });
    // How the step itself ended (systemd-run: exit 1, its job canceled by the shutdown) is kept as evidence, under the loss.
    expect(lost?.evidence).toContain(
      `the step's failure: ${h3.name}: running slow work failed (exit code 1)`,
    );
    await expectLostThenResumed(workspace, () => execFileSync('bash', [LAB, 'start', labNumber(h3)]));
  }, 180_000);
});

describe('the state folder on a full disk', () => {
  let mounted: string | undefined;
  afterAll(() => {
    if (mounted) spawnSync('umount', [mounted]);
  });

  it('ends the run with the path, ENOSPC and what to do; the steps in flight are recorded, no lock; the resume re-runs nothing', async () => {
    const workspace = labWorkspace(5);
    workspace.setVars({ slowSeconds: 4 });
    const stateDir = join(workspace.dir, '.wire-install');
    mkdirSync(stateDir, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', stateDir]);
    mounted = stateDir;
    const run = startLabCli(workspace, ['apply']);
    // The run's own debug log says when lab.slow starts; then the disk fills up under it.
    const logs = join(stateDir, 'logs');
    const slowStarted = () =>
      existsSync(logs) &&
      readdirSync(logs).some((file) =>
        readFileSync(join(logs, file), 'utf8').includes('"type":"step-started","step":"lab.slow"'),
      );
    for (let waited = 0; !slowStarted(); waited += 100) {
      if (waited > 60_000) throw new Error('lab.slow did not start within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    spawnSync('dd', ['if=/dev/zero', `of=${join(stateDir, 'filler')}`, 'bs=64k']); // ends at ENOSPC
    const result = await run;
    const stderr = String(result.stderr);
    expectNoCrash(stderr);
    expect(result.exitCode).toBe(1);
    expect(stderr).toContain('error: admin host: lab.slow failed');
    expect(stderr).toContain(`${join(stateDir, 'state.json')}: writing the run state failed`);
    expect(stderr).toContain('no space left on the device (ENOSPC)');
    expect(stderr).toContain(`df -h ${join(stateDir, 'state.json')}`);
    expect(stderr).toContain('apply then resumes where this run stopped');
    expect(stderr).toContain('every step that ended is recorded');
    // The state file is whole and holds lab.slow on every host: the steps in flight when the disk filled.
    const state = readState(workspace);
    for (const host of NAMES) expect(state.steps['lab.slow']?.[host]?.status).toBe('succeeded');
    expect(lockLeft(workspace)).toBe(false);

    rmSync(join(stateDir, 'filler'));
    const resumed = await runLabCli(workspace, ['apply', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(started(resumed.events)).toEqual([]);
    expect(finished(resumed.events).every((e) => e.status === 'current')).toBe(true);
  }, 150_000);
});
