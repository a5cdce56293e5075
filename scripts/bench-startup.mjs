// Measures cold start: `wire-install --help` against `node -e 0`, alternating runs in one
// process so both see the same machine state. Prints figures; asserts nothing.
//   usage: node scripts/bench-startup.mjs [runs]   (build first: npm run build)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 20);
const cli = fileURLToPath(new URL('../bin/wire-install', import.meta.url));
const cases = {
  'node -e 0': ['-e', '0'],
  'wire-install --help': [cli, '--help'],
  'wire-install apply --help': [cli, 'apply', '--help'],
  'wire-install init --help': [cli, 'init', '--help'],
  'apply --plan --offline (example)': [
    cli,
    'apply',
    '--plan',
    '--offline',
    '--inventory',
    fileURLToPath(new URL('../inventory.example.yaml', import.meta.url)),
  ],
};

function time(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const args of Object.values(cases)) time(args); // warm the file cache once
for (let i = 0; i < runs; i += 1) {
  for (const [name, args] of Object.entries(cases)) samples[name].push(time(args));
}

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const p90 = sorted[Math.floor(sorted.length * 0.9)];
  return { median, p90, min: sorted[0] };
};
const base = stats(samples['node -e 0']).median;
console.log(`node ${process.version}, ${runs} runs each`);
for (const [name, values] of Object.entries(samples)) {
  const s = stats(values);
  const extra = name === 'node -e 0' ? '' : `  (+${(s.median - base).toFixed(1)} ms over node)`;
  console.log(
    `${name.padEnd(28)} median ${s.median.toFixed(1)} ms  p90 ${s.p90.toFixed(1)} ms  min ${s.min.toFixed(1)} ms${extra}`,
  );
}
