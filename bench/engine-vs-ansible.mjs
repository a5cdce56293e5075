#!/usr/bin/env node
// wire-install's engine against ansible-playbook (Debian's ansible-core), on the same lab hosts
// doing the same small play: gather facts, copy a file, run a command. Prints wall-clock times
// and ratios; it is a benchmark, not a test (nothing here passes or fails on a number).
//
//   sudo node bench/engine-vs-ansible.mjs            # builds, starts a 20-host lab, measures, stops it
//   sudo node bench/engine-vs-ansible.mjs --keep-lab # leaves the lab up afterwards
//
// Needs root (the lab) and ansible-playbook (apt-get install ansible-core). The lab it starts
// replaces any running lab. Each measurement starts from hosts reset to the same state.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAB = join(ROOT, 'test/lab/lab.sh');
const LAB_CLI = join(ROOT, 'test/lab/play/wire-install-lab.mjs');
const LAB_RUN = '/run/wire-install-lab';
const KEY = `${LAB_RUN}/id_ed25519`;
const SIZES = [5, 20];
const keepLab = process.argv.includes('--keep-lab');

function need(command, hint) {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
    console.error(`bench: ${command} is missing: ${hint}`);
    process.exit(2);
  }
}
need('ansible-playbook', 'apt-get install ansible-core');
if (process.getuid?.() !== 0) {
  console.error('bench: needs root (the lab of hosts)');
  process.exit(2);
}

execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
execFileSync('bash', [LAB, 'up', String(Math.max(...SIZES))], { stdio: 'inherit' });
const hosts = readFileSync(`${LAB_RUN}/hosts`, 'utf8')
  .trim()
  .split('\n')
  .map((line) => {
    const [name, address] = line.split(' ');
    return { name, address };
  });

const sshOptions = ['-i', KEY, '-o', `UserKnownHostsFile=${LAB_RUN}/known_hosts`, '-o', 'BatchMode=yes'];

/** Every host back to the same state: no bench file, no checksum, no Ansible facts cache. */
function reset(count) {
  const script = 'rm -f /etc/wil-bench.txt /var/tmp/wil-bench.sum; rm -rf /root/.ansible';
  const children = hosts
    .slice(0, count)
    .map((host) => spawnSync('ssh', [...sshOptions, `root@${host.address}`, script], { stdio: 'ignore' }));
  if (children.some((child) => child.status !== 0)) throw new Error('reset failed');
}

function workspace(count) {
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
  writeFileSync(join(dir, 'lab-play.json'), JSON.stringify({ play: 'bench', greeting: 'hello' }));
  const ansibleInventory = hosts
    .slice(0, count)
    .map((h) => `${h.name} ansible_host=${h.address}`)
    .join('\n');
  writeFileSync(join(dir, 'hosts.ini'), `[all]\n${ansibleInventory}\n`);
  return { dir, home };
}

function timed(label, command, args, options) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    console.error(`bench: ${label} failed (exit ${result.status})\n${result.stdout}\n${result.stderr}`);
    process.exit(1);
  }
  return seconds;
}

function wireInstall(ws) {
  return timed('wire-install apply', 'node', [LAB_CLI, 'apply', '-i', join(ws.dir, 'inventory.yaml')], {
    cwd: ws.dir,
    env: { ...process.env, HOME: ws.home, NO_COLOR: '1' },
  });
}

function ansible(ws, count) {
  return timed(
    'ansible-playbook',
    'ansible-playbook',
    ['-i', 'hosts.ini', '-e', 'greeting=hello', join(ROOT, 'bench/play.yml')],
    {
      cwd: ws.dir,
      env: {
        ...process.env,
        HOME: ws.home,
        ANSIBLE_FORKS: String(count),
        ANSIBLE_PIPELINING: 'True',
        ANSIBLE_PRIVATE_KEY_FILE: KEY,
        ANSIBLE_REMOTE_USER: 'root',
        ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
        ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${LAB_RUN}/known_hosts -o ControlMaster=auto -o ControlPersist=60s`,
        ANSIBLE_NOCOLOR: '1',
      },
      input: '',
    },
  );
}

const rows = [];
try {
  for (const count of SIZES) {
    reset(count);
    const ws = workspace(count);
    const ours = wireInstall(ws);
    reset(count);
    const theirs = ansible(ws, count);
    rows.push({ what: `first run, ${count} hosts`, ours, theirs });
  }
  // The no-op re-apply: every step already current on 20 hosts (and Ansible's equivalent re-run).
  const count = Math.max(...SIZES);
  reset(count);
  const ws = workspace(count);
  wireInstall(ws);
  ansible(ws, count);
  rows.push({ what: `no-op re-run, ${count} hosts`, ours: wireInstall(ws), theirs: ansible(ws, count) });
} finally {
  if (!keepLab) execFileSync('bash', [LAB, 'down'], { stdio: 'inherit' });
}

console.log('');
console.log('                          wire-install   ansible-playbook   ratio');
for (const row of rows) {
  console.log(
    `${row.what.padEnd(26)}${`${row.ours.toFixed(2)} s`.padStart(12)}${`${row.theirs.toFixed(2)} s`.padStart(19)}${`${(row.theirs / row.ours).toFixed(1)}x`.padStart(8)}`,
  );
}
