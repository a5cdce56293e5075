import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * One lab for the whole test run, shared by every test under test/lab: three real hosts booted
 * before the tests and stopped after them (by their recorded pids). The first run on a machine
 * also builds the base image (about 45 s).
 */
const LAB = fileURLToPath(new URL('./lab.sh', import.meta.url));
export const LAB_HOSTS = 3;

export default function setup(): () => void {
  execFileSync('bash', [LAB, 'up', String(LAB_HOSTS)], { stdio: 'inherit', timeout: 300_000 });
  return () => {
    execFileSync('bash', [LAB, 'down'], { stdio: 'inherit', timeout: 90_000 });
  };
}
