import { execFileSync } from 'node:child_process';

/**
 * CLI tests run the built CLI (bin/wire-install -> dist/) as a user would, so the build must be
 * current. Build once per test run; tsc is incremental enough at this size (about 2 s).
 */
let built = false;

export default function setup(): void {
  if (built) return;
  built = true;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
