import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { labHostCount } from './lab-slots.js';

/**
 * One lab for the whole test run, shared by every test under test/lab: six real hosts per slot
 * (test/lab/lab-hosts.ts: five for a test file's inventory and a spare) booted before the tests
 * and stopped after them (by their recorded pids). The first run on a machine also builds the
 * base image (about 45 s).
 *
 * LAB_KEEP=1 (by hand, while developing): use a lab that is already up with enough hosts and
 * leave it running afterwards, so several test runs can share one lab instead of each
 * tearing down the other's hosts.
 */
const LAB = fileURLToPath(new URL('./lab.sh', import.meta.url));

/** Hosts of a lab that is up, from its record (not by probing: a slow answer must not restart it). */
function hostsUp(): number {
  try {
    return readFileSync('/run/wire-install-lab/hosts', 'utf8').trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

export default function setup(): (() => void) | undefined {
  if (process.env.LAB_KEEP === '1' && hostsUp() >= labHostCount()) return undefined;
  execFileSync('bash', [LAB, 'up', String(labHostCount())], { stdio: 'inherit', timeout: 300_000 });
  if (process.env.LAB_KEEP === '1') return undefined;
  return () => {
    execFileSync('bash', [LAB, 'down'], { stdio: 'inherit', timeout: 90_000 });
  };
}
