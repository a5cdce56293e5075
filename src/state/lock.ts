import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WireInstallError } from '../core/errors.js';

/**
 * One run at a time per installation: a lock file in the state directory naming its holder
 * (pid, machine, command, start time, and the process's own start time and the machine's boot
 * id). A lock is stale, and taken over with a warning saying why, when its process is gone:
 * the pid is dead, or now belongs to another program (pids are reused: the process under that
 * pid started at another time), or the machine has restarted since. The lock file appears
 * whole (written aside, then linked into place), so an empty or unreadable one is never a run
 * in progress: it is taken over too, saying what was found.
 */
export interface LockHolder {
  pid: number;
  hostname: string;
  command: string;
  runId: string;
  startedAt: string;
  /** /proc/<pid>/stat field 22: when the process started, in clock ticks since boot. */
  processStart?: number;
  /** /proc/sys/kernel/random/boot_id: which boot of the machine the pid belongs to. */
  bootId?: string;
}

export interface HeldLock {
  /** The stale holder that was replaced, if its lock could be read. */
  replaced: LockHolder | undefined;
  /** Why a lock that was there was taken over (for the warning); undefined when there was none. */
  takenOver: string | undefined;
  release(): Promise<void>;
}

/** What /proc says about a process now; undefined where there is no /proc or no such process. */
interface ProcessNow {
  start: number;
  /** Its command line, shortened, for messages. */
  program: string;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function processNow(pid: number): ProcessNow | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The name (field 2) is in parentheses and may hold spaces and ')': count after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[22 - 3]);
  if (!Number.isFinite(start)) return undefined;
  const cmdline = (readProc(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const program = (cmdline || name).replace(/[^\x20-\x7e]/g, '?');
  return { start, program: program.length > 100 ? `${program.slice(0, 100)}...` : program };
}

const bootId = () => readProc('/proc/sys/kernel/random/boot_id')?.trim();

/** When a process that started `ticks` after boot started, as a date (USER_HZ is 100 on Linux). */
function startDate(ticks: number): Date | undefined {
  const btime = /^btime (\d+)$/m.exec(readProc('/proc/stat') ?? '')?.[1];
  return btime === undefined ? undefined : new Date((Number(btime) + ticks / 100) * 1000);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeHolder(holder: LockHolder): string {
  return `${holder.command} (pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt})`;
}

/** Why the holder's process is gone, or undefined when it may still run (or runs on another machine). */
function staleBecause(holder: LockHolder): string | undefined {
  if (holder.hostname !== hostname()) return undefined;
  const boot = bootId();
  if (holder.bootId && boot && holder.bootId !== boot)
    return `${describeHolder(holder)}: the machine has restarted since`;
  if (!alive(holder.pid)) return `${describeHolder(holder)}: that process is gone`;
  const now = processNow(holder.pid);
  if (!now) return undefined;
  const reused =
    holder.processStart !== undefined
      ? now.start !== holder.processStart
      : // A lock without the process's start (an older wire-install): a process that started
        // after the lock was written cannot be the one that wrote it.
        (startDate(now.start)?.getTime() ?? 0) > Date.parse(holder.startedAt) + 2000;
  if (!reused) return undefined;
  const since = startDate(now.start);
  return `${describeHolder(holder)}: pid ${holder.pid} is now another program, ${now.program}${since ? ` (started ${since.toISOString()})` : ''}`;
}

/** What an unreadable lock file holds, quoted safely for a message. */
function describeUnreadable(text: string): string {
  if (text.trim() === '') return 'the lock file was empty (a run that crashed while creating it)';
  const shown = text.slice(0, 60).replace(/[^\x20-\x7e]/g, '?');
  return `the lock file held no lock record ("${shown}"${text.length > 60 ? '...' : ''})`;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder?.pid === 'number' && typeof holder.hostname === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

const readText = (file: string) =>
  readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });

/** Puts the lock file in place whole, or returns false when one is there already. */
async function createWhole(file: string, text: string): Promise<boolean> {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(aside, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // link() fails if the name exists, atomically: no reader ever sees a half-written lock.
    await link(aside, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(aside, { force: true });
  }
}

/**
 * Removes the stale lock `seen`, unless another run replaced it meanwhile: the file is moved
 * aside first (atomically), and put back if what was moved is not what was judged stale.
 */
async function removeStale(file: string, seen: string): Promise<void> {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readText(aside);
  if (moved !== seen) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

export async function acquireLock(
  stateDir: string,
  holder: Omit<LockHolder, 'pid' | 'hostname' | 'startedAt' | 'processStart' | 'bootId'>,
): Promise<HeldLock> {
  const file = join(stateDir, 'lock');
  const own = processNow(process.pid);
  const boot = bootId();
  const me: LockHolder = {
    ...holder,
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    ...(own ? { processStart: own.start } : {}),
    ...(boot ? { bootId: boot } : {}),
  };
  let replaced: LockHolder | undefined;
  let takenOver: string | undefined;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await createWhole(file, `${JSON.stringify(me)}\n`))
      return { replaced, takenOver, release: () => rm(file, { force: true }) };
    let text = await readText(file);
    if (text === undefined) continue; // released meanwhile: try again
    let current = parseHolder(text);
    if (!current) {
      // An older wire-install wrote the file in two steps (create, then write): give one a moment.
      await new Promise((resolve) => setTimeout(resolve, 200));
      text = await readText(file);
      if (text === undefined) continue;
      current = parseHolder(text);
    }
    const why = current ? staleBecause(current) : describeUnreadable(text);
    if (!why) {
      const held = current as LockHolder;
      const now = held.hostname === hostname() ? processNow(held.pid) : undefined;
      throw new WireInstallError({
        what: `another wire-install run holds the lock: ${describeHolder(held)}`,
        evidence: [file, ...(now ? [`pid ${held.pid} now: ${now.program}`] : [])],
        next:
          held.hostname === hostname()
            ? 'wait for that run to finish (Ctrl-C there stops it, keeping its work)'
            : `wait for that run to finish; it runs on ${held.hostname}, where this machine cannot see whether it is gone: if it is, remove ${file}`,
      });
    }
    replaced = current;
    takenOver = why;
    await removeStale(file, text);
  }
  throw new WireInstallError({
    what: `could not take the lock ${file}: other runs keep taking it`,
    next: 'run again once the other runs are done',
  });
}
