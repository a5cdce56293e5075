import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inOwnSession } from '../../../src/hosts/ssh-host.js';

/**
 * The wrapper of a stoppable SSH command (timeout, cancel), run by this machine's sh: started as
 * sshd starts a command's shell (the leader of a session of its own) and as sudo without a pty
 * runs it (inside another process group). Either way it reports a group holding the command and
 * everything it started, and killing that group stops them all.
 */

/** The live pids whose process group is `group` (zombies are gone already, only not yet reaped). */
function inGroup(group: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // After the name: state, ppid, pgrp.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === group && fields[0] !== 'Z') pids.push(Number(name));
  }
  return pids;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 5_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a stoppable command runs in a process group of its own', () => {
  for (const [how, detached] of [
    ['started as sshd starts it (a session leader)', true],
    ['started inside another group (as under sudo without a pty)', false],
  ] as const) {
    it(`reports the group first and keeps stderr its own; killing the group stops all it started: ${how}`, async () => {
      const child = spawn('sh', ['-c', inOwnSession('echo started >&2; sleep 31 & sleep 32 | cat; wait')], {
        detached,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      await until(() => stderr.includes('started\n'), 'the command to start');
      const [mark, own] = stderr.split('\n');
      expect(mark).toMatch(/^wire-install-process-group=\d+$/);
      expect(own).toBe('started');
      const group = Number(mark?.split('=')[1]);
      // No process more than the command's own: the wrapper runs in the shell's place.
      expect(group).toBe(child.pid);
      // sh, two sleeps, cat (and sh's subshell for the background job, where it forks one).
      await until(() => inGroup(group).length >= 4, 'the command and what it started');
      process.kill(-group, 'SIGKILL');
      await exited;
      await until(() => inGroup(group).length === 0, 'every process of the group to end');
    });
  }
});
