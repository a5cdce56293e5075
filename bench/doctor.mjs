#!/usr/bin/env node
// How long `wire-install doctor` takes on many hosts: the hosts and network groups (one SSH
// connection and one facts round trip per host, the role-port probes as one command per host)
// on the lab's first 5, 10 and all hosts, three runs each. Prints wall-clock times; a
// benchmark, not a test. Read-only: doctor changes nothing on the hosts.
//
//   node bench/doctor.mjs      # needs a running lab (test/lab/lab.sh up 25 for the 25-host figure)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAB_RUN = '/run/wire-install-lab';

let inventory;
try {
  inventory = readFileSync(`${LAB_RUN}/inventory.yaml`, 'utf8');
} catch {
  console.error('bench: no lab is running: test/lab/lab.sh up 25');
  process.exit(2);
}
const hostLines = inventory.split('\n').filter((line) => line.startsWith('  - { name: labhost'));
const [head] = inventory.split('hosts:\n');
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });

function workspace(count) {
  const dir = mkdtempSync(join(tmpdir(), 'wil-bench-doctor-'));
  mkdirSync(join(dir, 'home', '.ssh'), { recursive: true });
  copyFileSync(`${LAB_RUN}/known_hosts`, join(dir, 'home', '.ssh', 'known_hosts'));
  writeFileSync(join(dir, 'inventory.yaml'), `${head}hosts:\n${hostLines.slice(0, count).join('\n')}\n`);
  return dir;
}

const sizes = [5, 10, hostLines.length].filter(
  (size, index, all) => size <= hostLines.length && all.indexOf(size) === index,
);
console.log(`doctor --only hosts,network on lab hosts (${hostLines.length} up)`);
for (const size of sizes) {
  const dir = workspace(size);
  const times = [];
  let counts = '';
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    const result = spawnSync(
      'node',
      [
        join(ROOT, 'bin/wire-install'),
        'doctor',
        '--only',
        'hosts,network',
        '--json',
        '--allow-unsupported-os',
        '--allow-undersized',
      ],
      { cwd: dir, env: { ...process.env, HOME: join(dir, 'home') }, encoding: 'utf8' },
    );
    times.push((performance.now() - started) / 1000);
    const report = JSON.parse(result.stdout);
    counts = `${report.results.length} results, ${report.counts.fail} fail`;
  }
  const best = Math.min(...times).toFixed(2);
  const median = [...times].sort((a, b) => a - b)[1].toFixed(2);
  console.log(`  ${String(size).padStart(2)} hosts: best ${best} s, median ${median} s (${counts})`);
}
