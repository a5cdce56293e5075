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
import { freshHosts } from './lab-reset.js';

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
  execFileSync('bash', [LAB, 'start', '3']); // a no-op unless a test switched it off
});
afterAll(async () => {
  // The measured times, for the record (issue 15 asks for them).
  if (figures.length > 0) console.log(`partition -> message:\n  ${figures.join('\n  ')}`);
  await freshHosts(HOSTS);
}, 90_000);

/**
 * After labhost3 was lost in lab.slow: it is recorded failed, the other hosts succeeded, no lock
 * is left; once `restore` brings it back, the resume runs lab.slow on labhost3 and nothing else.
 */
async function expectLostThenResumed(workspace: LabWorkspace, restore: () => void): Promise<void> {
  const state = readState(workspace);
  expect(state.steps['lab.slow']?.labhost3?.status).toBe('failed');
  for (const host of ['labhost1', 'labhost2', 'labhost4', 'labhost5'])
    expect(state.steps['lab.slow']?.[host]?.status).toBe('succeeded');
  expect(lockLeft(workspace)).toBe(false);
  restore();
  const resumed = await runLabCli(workspace, ['apply', '--json']);
  expect(resumed.exitCode, resumed.stderr).toBe(0);
  expect(started(resumed.events).map((e) => `${e.step} ${e.host}`)).toEqual(['lab.slow labhost3']);
}

describe('a host partitioned in the middle of a stage', () => {
  it('is named within 20 s, the others finish and are recorded, no lock; the resume runs only what failed', async () => {
    const workspace = labWorkspace(5);
    // labhost3 is partitioned as it starts; the others are still at work when it is named.
    workspace.setVars({
      slowSeconds: { labhost1: 25, labhost2: 25, labhost3: 5, labhost4: 25, labhost5: 25 },
    });
    const run = startLabCli(workspace, ['apply', '--json']);
    await waitForEvent(
      run,
      (e) => e.type === 'step-started' && e.step === 'lab.slow' && e.host === 'labhost3',
    );
    let cut = 0;
    partition('labhost3');
    cut = performance.now();
    const named = await msUntil(
      run,
      () => cut,
      (e) => e.type === 'step-finished' && e.host === 'labhost3' && e.status === 'failed',
    );
    figures.push(`mid-stage partition: ${(named / 1000).toFixed(1)} s`);
    expect(named).toBeLessThan(NAMED_WITHIN_MS);
    const result = await run;
    expectNoCrash(String(result.stderr));
    expect(result.exitCode).toBe(1);
    const events = parseEvents(String(result.stdout));
    expect(failure(events, 'labhost3')).toMatchObject({
      step: 'lab.slow',
      error: expect.stringContaining('labhost3: 172.31.0.13 stopped answering while a command ran'),
      next: expect.stringContaining('apply resumes with the steps that did not finish'),
    });
    const slow = finished(events).filter((e) => e.step === 'lab.slow');
    expect(
      slow
        .filter((e) => e.status === 'changed')
        .map((e) => e.host)
        .sort(),
    ).toEqual(['labhost1', 'labhost2', 'labhost4', 'labhost5']);
    await expectLostThenResumed(workspace, () => heal('labhost3'));
  }, 150_000);
});

describe('a host partitioned while it has nothing to do', () => {
  it('is named within 20 s with the step the run was at; the others finish it; the resume re-runs nothing', async () => {
    const workspace = labWorkspace(5);
    // labhost3's part of lab.slow ends at once; then it sits idle while the others work.
    workspace.setVars({ slowSeconds: { labhost1: 25, labhost2: 25, labhost4: 25, labhost5: 25 } });
    const run = startLabCli(workspace, ['apply', '--json']);
    await waitForEvent(
      run,
      (e) => e.type === 'step-finished' && e.step === 'lab.slow' && e.host === 'labhost3',
    );
    partition('labhost3');
    const cut = performance.now();
    const named = await msUntil(
      run,
      () => cut,
      (e) => e.type === 'host-unreachable' && e.host === 'labhost3',
    );
    figures.push(`idle partition: ${(named / 1000).toFixed(1)} s`);
    expect(named).toBeLessThan(NAMED_WITHIN_MS);
    const result = await run;
    expectNoCrash(String(result.stderr));
    expect(result.exitCode).toBe(1);
    const events = parseEvents(String(result.stdout));
    expect(failure(events, 'labhost3')).toMatchObject({
      step: 'lab.slow',
      error: expect.stringMatching(
        /^labhost3: 172\.31\.0\.13 stopped answering: no answer to SSH keepalives for 15 s .*; none of its steps was running: the run was at step lab\.slow/,
      ),
      next: expect.stringContaining('apply resumes with the steps that did not finish'),
    });
    // Every host finished lab.slow, labhost3 before it went silent: all recorded as succeeded.
    const state = readState(workspace);
    for (const host of NAMES) expect(state.steps['lab.slow']?.[host]?.status).toBe('succeeded');
    expect(lockLeft(workspace)).toBe(false);

    heal('labhost3');
    const resumed = await runLabCli(workspace, ['apply', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(started(resumed.events)).toEqual([]);
  }, 150_000);
});

describe('a host switched off in the middle of a command', () => {
  it('is named as lost (not as the command failing) within 20 s; the others are recorded; the resume runs only it', async () => {
    const workspace = labWorkspace(5);
    workspace.setVars({
      slowSeconds: { labhost1: 25, labhost2: 25, labhost3: 5, labhost4: 25, labhost5: 25 },
    });
    const run = startLabCli(workspace, ['apply', '--json']);
    await waitForEvent(
      run,
      (e) => e.type === 'step-started' && e.step === 'lab.slow' && e.host === 'labhost3',
    );
    execFileSync('bash', [LAB, 'poweroff', '3']);
    const off = performance.now();
    const named = await msUntil(
      run,
      () => off,
      (e) => e.type === 'step-finished' && e.host === 'labhost3' && e.status === 'failed',
    );
    figures.push(`power-off: ${(named / 1000).toFixed(1)} s`);
    expect(named).toBeLessThan(NAMED_WITHIN_MS);
    const result = await run;
    expectNoCrash(String(result.stderr));
    expect(result.exitCode).toBe(1);
    const events = parseEvents(String(result.stdout));
    const lost = failure(events, 'labhost3');
    expect(lost).toMatchObject({
      step: 'lab.slow',
      error: expect.stringContaining('labhost3: 172.31.0.13 stopped answering while a command ran'),
      next: expect.stringContaining('check that labhost3 is up and reachable'),
    });
    expect(lost?.error).not.toContain('canceled');
    await expectLostThenResumed(workspace, () => execFileSync('bash', [LAB, 'start', '3']));
  }, 180_000);
});

describe('a host shut down in the middle of a systemd job', () => {
  it('is named as lost, not as the job its shutdown canceled; the others are recorded; the resume runs only it', async () => {
    const workspace = labWorkspace(5);
    workspace.setVars({
      slowSeconds: { labhost1: 20, labhost2: 20, labhost3: 8, labhost4: 20, labhost5: 20 },
      slowUnitOn: 'labhost3',
    });
    const run = startLabCli(workspace, ['apply', '--json']);
    await waitForEvent(
      run,
      (e) => e.type === 'step-started' && e.step === 'lab.slow' && e.host === 'labhost3',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the start job is under way
    execFileSync('bash', [LAB, 'stop', '3']); // a clean shutdown: systemd cancels the job first
    const result = await run;
    expectNoCrash(String(result.stderr));
    expect(result.exitCode).toBe(1);
    const events = parseEvents(String(result.stdout));
    const lost = failure(events, 'labhost3');
    expect(lost).toMatchObject({
      step: 'lab.slow',
      error: expect.stringContaining(
        'labhost3: the connection to 172.31.0.13 was lost (the host went down, rebooted or dropped off the network); the step failed as it went',
      ),
      next: expect.stringContaining('check that labhost3 is up and reachable'),
    });
    // How the step itself ended (systemd-run: exit 1, its job canceled by the shutdown) is kept as evidence, under the loss.
    expect(lost?.evidence).toContain("the step's failure: labhost3: running slow work failed (exit code 1)");
    await expectLostThenResumed(workspace, () => execFileSync('bash', [LAB, 'start', '3']));
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
