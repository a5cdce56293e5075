import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WireInstallError } from '../core/errors.js';

/**
 * One run at a time per installation: a lock file in the state directory, created exclusively,
 * naming its holder (pid, machine, command, start time). A lock whose process is gone on this
 * machine is stale and taken over, and the caller is told so.
 */
export interface LockHolder {
  pid: number;
  hostname: string;
  command: string;
  runId: string;
  startedAt: string;
}

export interface HeldLock {
  /** The stale holder that was replaced, if any. */
  replaced: LockHolder | undefined;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

export async function acquireLock(
  stateDir: string,
  holder: Omit<LockHolder, 'pid' | 'hostname' | 'startedAt'>,
): Promise<HeldLock> {
  const file = join(stateDir, 'lock');
  const me: LockHolder = {
    ...holder,
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
  };
  let replaced: LockHolder | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      return { replaced, release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = await readHolder(file);
      const stale = current && current.hostname === me.hostname && !alive(current.pid);
      if (!stale) {
        throw new WireInstallError({
          what: current
            ? `another wire-install run holds the lock: ${current.command} (pid ${current.pid} on ${current.hostname}, since ${current.startedAt})`
            : `the lock file ${file} exists but cannot be read`,
          evidence: [file],
          next: current
            ? 'wait for that run to finish; if it is gone (another machine), remove the lock file after checking'
            : 'remove the lock file after checking that no run is going on',
        });
      }
      replaced = current;
      await rm(file, { force: true });
    }
  }
  throw new WireInstallError({ what: `could not take the lock ${file}`, next: 'run again' });
}
