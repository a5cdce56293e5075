// What the lab benchmarks share: the lab's hosts, a workspace (inventory, HOME with the lab's
// known_hosts, the lab play's variables) for the first N of them, and a timed run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LAB = join(ROOT, 'test/lab/lab.sh');
export const LAB_CLI = join(ROOT, 'test/lab/play/wire-install-lab.mjs');
export const LAB_RUN = '/run/wire-install-lab';
export const KEY = `${LAB_RUN}/id_ed25519`;

export function need(command, hint) {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
    console.error(`bench: ${command} is missing: ${hint}`);
    process.exit(2);
  }
}

export function needRoot() {
  if (process.getuid?.() !== 0) {
    console.error('bench: needs root (the lab of hosts)');
    process.exit(2);
  }
}

/** The lab's hosts as lab.sh recorded them. */
export function labHosts() {
  return readFileSync(`${LAB_RUN}/hosts`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [name, address] = line.split(' ');
      return { name, address };
    });
}

/** A workspace for the first `count` lab hosts, running the lab play `play` ('bench' or 'full'). */
export function workspace(hosts, count, play = 'bench') {
  const dir = mkdtempSync(join(tmpdir(), 'wil-bench-'));
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'known_hosts'), readFileSync(`${LAB_RUN}/known_hosts`));
  const roles = (i) =>
    i < 3
      ? 'kube-control-plane, kube-worker, cassandra, elasticsearch, minio, postgresql, rabbitmq'
      : i === count - 1
        ? 'assethost'
        : 'kube-worker';
  const lines = [
    'apiVersion: wire-install/v1',
    'kind: Inventory',
    'mode: production',
    'domain: wire.lab.test',
    'certificates: { mode: self-signed }',
    `ssh: { user: root, identityFile: ${KEY} }`,
    'hosts:',
    ...hosts
      .slice(0, count)
      .map((h, i) => `  - { name: ${h.name}, address: ${h.address}, roles: [${roles(i)}] }`),
  ];
  writeFileSync(join(dir, 'inventory.yaml'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'lab-play.json'), JSON.stringify({ play, greeting: 'hello' }));
  return { dir, home };
}

/** Seconds one run took; a failed run ends the benchmark with its output. */
export function timed(label, command, args, options) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    console.error(`bench: ${label} failed (exit ${result.status})\n${result.stdout}\n${result.stderr}`);
    process.exit(1);
  }
  return seconds;
}

/** The lab play through the real apply command, with extra flags (e.g. --plan --check-drift). */
export function labApply(ws, extra = []) {
  return timed(
    `wire-install apply ${extra.join(' ')}`,
    'node',
    [LAB_CLI, 'apply', '-i', join(ws.dir, 'inventory.yaml'), ...extra],
    {
      cwd: ws.dir,
      env: { ...process.env, HOME: ws.home, NO_COLOR: '1' },
    },
  );
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
