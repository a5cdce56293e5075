// Measures the refusal of a YAML alias bomb (issue 15: a 2.8 KB inventory took 46 s and 2.2 GB
// before the limits): the built CLI's wall time and peak memory (GNU time's maximum resident
// set), and the parse alone in this process. Prints figures; asserts nothing.
//   usage: node scripts/bench-yaml-limits.mjs [runs]   (build first: npm run build)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 5);
const cli = fileURLToPath(new URL('../bin/wire-install', import.meta.url));
const example = readFileSync(fileURLToPath(new URL('../inventory.example.yaml', import.meta.url)), 'utf8');

// billion laughs inside a real key: 9 levels of 9 aliases, 387 million nodes expanded.
const levels = [`&a0 [${Array(9).fill('lol').join(', ')}]`];
for (let i = 1; i <= 8; i += 1)
  levels.push(
    `&a${i} [${Array(9)
      .fill(`*a${i - 1}`)
      .join(', ')}]`,
  );
const text = example.replace(/roles: \[[^\n]*\]/, `roles: [${levels.join(', ')}]`);
const file = join(mkdtempSync(join(tmpdir(), 'wire-install-bench-')), 'inventory.yaml');
writeFileSync(file, text);
console.log(`alias bomb: ${Buffer.byteLength(text)} bytes`);

const cliRuns = [];
for (let run = 0; run < runs; run += 1) {
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %M', process.execPath, cli, 'apply', '--plan', '--offline', '--inventory', file],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  const [seconds, kb] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  cliRuns.push({ exit: result.status, seconds, mb: kb / 1024 });
}
const worst = (key) => Math.max(...cliRuns.map((run) => run[key]));
console.log(
  `CLI (apply --plan --offline), ${runs} runs: exit ${[...new Set(cliRuns.map((r) => r.exit))].join('/')}, ` +
    `wall at most ${worst('seconds').toFixed(2)} s, peak RSS at most ${worst('mb').toFixed(0)} MB`,
);

const { parseInventoryText } = await import('../dist/inventory/load.js');
const before = process.memoryUsage();
const started = performance.now();
let message = '';
try {
  parseInventoryText(text, file);
} catch (error) {
  message = error.what ?? String(error);
}
const after = process.memoryUsage();
console.log(
  `in process: refused in ${(performance.now() - started).toFixed(1)} ms, heap +${((after.heapUsed - before.heapUsed) / 1048576).toFixed(1)} MB, rss ${(after.rss / 1048576).toFixed(0)} MB`,
);
console.log(`  ${message}`);
