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
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KEY,
  LAB,
  LAB_RUN,
  labApply,
  labHosts,
  workspace as labWorkspace,
  need,
  needRoot,
  ROOT,
  timed,
} from './lab-bench.mjs';

const SIZES = [5, 20];
const keepLab = process.argv.includes('--keep-lab');

need('ansible-playbook', 'apt-get install ansible-core');
needRoot();

execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
execFileSync('bash', [LAB, 'up', String(Math.max(...SIZES))], { stdio: 'inherit' });
const hosts = labHosts();

const sshOptions = ['-i', KEY, '-o', `UserKnownHostsFile=${LAB_RUN}/known_hosts`, '-o', 'BatchMode=yes'];

/** Every host back to the same state: no bench file, no checksum, no Ansible facts cache. */
function reset(count) {
  const script = 'rm -f /etc/wil-bench.txt /var/tmp/wil-bench.sum; rm -rf /root/.ansible';
  const children = hosts
    .slice(0, count)
    .map((host) => spawnSync('ssh', [...sshOptions, `root@${host.address}`, script], { stdio: 'ignore' }));
  if (children.some((child) => child.status !== 0)) throw new Error('reset failed');
}

/** A lab workspace with the Ansible inventory of the same hosts beside it. */
function workspace(count) {
  const ws = labWorkspace(hosts, count);
  const ansibleInventory = hosts
    .slice(0, count)
    .map((h) => `${h.name} ansible_host=${h.address}`)
    .join('\n');
  writeFileSync(join(ws.dir, 'hosts.ini'), `[all]\n${ansibleInventory}\n`);
  return ws;
}

const wireInstall = (ws) => labApply(ws);

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
