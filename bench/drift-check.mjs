#!/usr/bin/env node
// What a drift check costs: on the lab play (a package, a user, kernel settings, a service with
// its configuration, a file, a guarded command), the no-op apply (every step current by its
// checkpoint) against `apply --plan --check-drift` (every step checked again on every host) and
// `apply --check-drift` (the same, as apply), on 5 and 20 lab hosts. Medians of 3 runs each.
// A benchmark, not a test: nothing here passes or fails on a number.
//
//   sudo node bench/drift-check.mjs            # builds, starts a 20-host lab, measures, stops it
//   sudo node bench/drift-check.mjs --keep-lab # leaves the lab up afterwards
import { execFileSync } from 'node:child_process';
import { LAB, labApply, labHosts, median, needRoot, ROOT, workspace } from './lab-bench.mjs';

const SIZES = [5, 20];
const RUNS = 3;
const keepLab = process.argv.includes('--keep-lab');
needRoot();

execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
execFileSync('bash', [LAB, 'up', String(Math.max(...SIZES))], { stdio: 'inherit' });
const hosts = labHosts();

const rows = [];
try {
  for (const count of SIZES) {
    const ws = workspace(hosts, count, 'full');
    const first = labApply(ws);
    const runs = (extra) => median(Array.from({ length: RUNS }, () => labApply(ws, extra)));
    rows.push({
      count,
      first,
      noop: runs([]),
      plan: runs(['--plan', '--check-drift']),
      repair: runs(['--check-drift']),
    });
  }
} finally {
  if (!keepLab) execFileSync('bash', [LAB, 'down'], { stdio: 'inherit' });
}

const s = (seconds) => `${seconds.toFixed(2)} s`.padStart(12);
console.log('');
console.log('hosts   first apply   no-op apply   --plan --check-drift   apply --check-drift');
for (const row of rows)
  console.log(
    `${String(row.count).padEnd(6)}${s(row.first)}  ${s(row.noop)}  ${s(row.plan).padStart(21)}  ${s(row.repair).padStart(20)}`,
  );
