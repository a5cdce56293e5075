// Start-up of the single executable against the npm install, in one run: `--help` (and the
// offline plan) of dist/release/wire-install-<version>-linux-x64 and of bin/wire-install, with
// `node -e 0` of this machine's node and of the release's own Node.js as the floor. Runs
// alternate, so every case sees the same machine state. Prints medians; asserts nothing.
//   usage: node bench/release-startup.mjs [runs]   (first: npm run build && npm run release)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extract, npmTarball } from '../scripts/release/fetch.mjs';
import { NODE } from '../scripts/release/pins.mjs';

const runs = Number(process.argv[2] ?? 20);
const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const executable = join(root, `dist/release/wire-install-${version}-linux-${process.arch}`);
if (!existsSync(executable)) throw new Error(`no ${executable}: run npm run release first`);
const cli = join(root, 'bin/wire-install');
const example = join(root, 'inventory.example.yaml');

// The release's Node.js alone (the same binary without our blob, from the release build's
// cache), for its own `node -e 0`.
const scratch = mkdtempSync(join(tmpdir(), 'wil-release-bench-'));
const { name, sha256 } = NODE.packages[`linux-${process.arch}`];
extract(npmTarball(`${name}@${NODE.version}`, sha256), scratch, ['package/bin/node']);
const releaseNode = join(scratch, 'package/bin/node');

const cases = {
  [`node -e 0 (this machine's ${process.version})`]: [process.execPath, '-e', '0'],
  [`node -e 0 (the release's v${NODE.version})`]: [releaseNode, '-e', '0'],
  'npm install: bin/wire-install --help': [process.execPath, cli, '--help'],
  [`npm install on v${NODE.version}: --help`]: [releaseNode, cli, '--help'],
  'executable: --help': [executable, '--help'],
  'npm install: apply --plan --offline': [
    process.execPath,
    cli,
    'apply',
    '--plan',
    '--offline',
    '-i',
    example,
  ],
  'executable: apply --plan --offline': [executable, 'apply', '--plan', '--offline', '-i', example],
};

function time([command, ...args]) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: 'ignore', env: { PATH: '/nonexistent', NO_COLOR: '1' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const args of Object.values(cases)) time(args); // warm the file cache once
for (let i = 0; i < runs; i += 1) {
  for (const [name, args] of Object.entries(cases)) samples[name].push(time(args));
}
rmSync(scratch, { recursive: true, force: true });

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`${runs} runs each, medians (${executable.replace(root, '')})`);
for (const [name, values] of Object.entries(samples)) {
  console.log(`${name.padEnd(48)} ${median(values).toFixed(1).padStart(7)} ms`);
}
