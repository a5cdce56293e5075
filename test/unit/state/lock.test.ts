import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, type LockHolder } from '../../../src/state/lock.js';

/**
 * The lock's stale cases on this machine's real /proc: a pid that now belongs to another
 * program (a real `sleep` started after the lock's holder), a restarted machine, an empty or
 * garbled lock file. Each is taken over with a warning saying what was found; a live holder
 * and another machine's are refused.
 */

const tempDir = () => mkdtemp(join(tmpdir(), 'wire-install-lock-'));
const startTicks = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
};
const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** Another program, running: a real process under a pid a lock may name. */
async function otherProgram(): Promise<number> {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid as number;
}

const holder = (fields: Partial<LockHolder>): LockHolder => ({
  pid: process.pid,
  hostname: hostname(),
  command: 'wire-install apply -i inventory.yaml',
  runId: 'old',
  startedAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});

describe('a lock whose pid now belongs to another program', () => {
  it('is stale: taken over, naming the run that held it and the program the pid is now', async () => {
    const dir = await tempDir();
    const pid = await otherProgram();
    // The lock's process started at another time than the program now under its pid.
    const stale = holder({ pid, processStart: startTicks(pid) - 1, bootId: bootId() });
    await writeFile(join(dir, 'lock'), JSON.stringify(stale));
    const held = await acquireLock(dir, { command: 'wire-install apply', runId: 'new' });
    expect(held.replaced).toMatchObject({ runId: 'old', pid });
    expect(held.takenOver).toContain(`wire-install apply -i inventory.yaml (pid ${pid} on ${hostname()}`);
    expect(held.takenOver).toContain(`pid ${pid} is now another program, sleep 300`);
    expect(JSON.parse(await readFile(join(dir, 'lock'), 'utf8'))).toMatchObject({
      runId: 'new',
      pid: process.pid,
      processStart: startTicks(process.pid),
      bootId: bootId(),
    });
    await held.release();
  });

  it('is stale also in a lock without the process start (an older wire-install): the program started after the lock', async () => {
    const dir = await tempDir();
    const lockedAt = new Date(Date.now() - 60_000).toISOString();
    const pid = await otherProgram();
    await writeFile(join(dir, 'lock'), JSON.stringify(holder({ pid, startedAt: lockedAt })));
    const held = await acquireLock(dir, { command: 'wire-install apply', runId: 'new' });
    expect(held.takenOver).toContain(`pid ${pid} is now another program, sleep 300`);
    await held.release();
  });

  it('is stale when the machine has restarted since the lock was taken', async () => {
    const dir = await tempDir();
    const stale = holder({ processStart: startTicks(process.pid), bootId: 'an-earlier-boot' });
    await writeFile(join(dir, 'lock'), JSON.stringify(stale));
    const held = await acquireLock(dir, { command: 'wire-install apply', runId: 'new' });
    expect(held.takenOver).toContain('the machine has restarted since');
    await held.release();
  });
});

describe('a live lock', () => {
  it('is refused while its process runs, naming it; another machine’s is refused saying where it runs', async () => {
    const dir = await tempDir();
    const held = await acquireLock(dir, { command: 'wire-install apply -i a.yaml', runId: 'r1' });
    await expect(acquireLock(dir, { command: 'wire-install apply', runId: 'r2' })).rejects.toMatchObject({
      what: expect.stringContaining(`wire-install apply -i a.yaml (pid ${process.pid} on ${hostname()}`),
    });
    await held.release();

    await writeFile(join(dir, 'lock'), JSON.stringify(holder({ hostname: 'admin2.example' })));
    await expect(acquireLock(dir, { command: 'wire-install apply', runId: 'r3' })).rejects.toMatchObject({
      next: expect.stringContaining('it runs on admin2.example'),
    });
  });

  it('appears whole: nothing is left beside it, and it holds the full record', async () => {
    const dir = await tempDir();
    const held = await acquireLock(dir, { command: 'wire-install apply', runId: 'r1' });
    expect(readdirSync(dir)).toEqual(['lock']);
    expect(JSON.parse(await readFile(join(dir, 'lock'), 'utf8'))).toMatchObject({ runId: 'r1' });
    await held.release();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a lock file that holds no lock record', () => {
  it('empty: taken over, saying it was empty, never to be removed by hand', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'lock'), '');
    const held = await acquireLock(dir, { command: 'wire-install apply', runId: 'new' });
    expect(held.replaced).toBeUndefined();
    expect(held.takenOver).toContain('the lock file was empty');
    expect(JSON.parse(await readFile(join(dir, 'lock'), 'utf8'))).toMatchObject({ runId: 'new' });
    await held.release();
  });

  it('garbled: taken over, quoting what it held (control characters made harmless)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'lock'), '{"pid": 12\u001b[2J');
    const held = await acquireLock(dir, { command: 'wire-install apply', runId: 'new' });
    expect(held.takenOver).toBe('the lock file held no lock record ("{"pid": 12?[2J")');
    await held.release();
  });
});
