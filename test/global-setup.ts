import { execFileSync } from 'node:child_process';

/**
 * CLI tests run the built CLI (bin/wire-install -> dist/) as a user would, so the build must be
 * current. Build once per test run; tsc is incremental enough at this size (about 2 s).
 * WIRE_INSTALL_BUILT=1: scripts/test.sh built it already, before starting two vitest processes
 * that would otherwise both write dist/ at once.
 */
let built = false;

export default function setup(): void {
  if (built || process.env.WIRE_INSTALL_BUILT === '1') return;
  built = true;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
