#!/usr/bin/env node
// How fast the bundle reaches the hosts (src/steps/implementations/assets.ts): the assets stage
// uploading a bundle to the asset host, unpacking and serving it; then Kubernetes nodes
// downloading a large file from the asset host at once; then both again with nothing to do.
// Prints wall-clock times and rates; a benchmark, not a test.
//
//   node bench/assets.mjs [--mib 256]     # needs a running lab of 5 hosts or more (test/lab/lab.sh up 5)
//
// Uses the lab's first five hosts (the fifth is the asset host) and the built CLI (dist/).
// The hosts are left with /opt/assets and serve-assets removed again.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAB_RUN = '/run/wire-install-lab';
const mibArg = process.argv.indexOf('--mib');
const MIB = mibArg > 0 ? Number(process.argv[mibArg + 1]) : 256;

let hosts;
try {
  hosts = readFileSync(`${LAB_RUN}/hosts`, 'utf8')
    .trim()
    .split('\n')
    .slice(0, 5)
    .map((line) => {
      const [name, address] = line.split(' ');
      return { name, address };
    });
} catch {
  console.error('bench: no lab is running: test/lab/lab.sh up 5');
  process.exit(2);
}
if (hosts.length < 5) {
  console.error('bench: the lab needs 5 hosts: test/lab/lab.sh up 5');
  process.exit(2);
}
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
const { connectSsh } = await import(join(ROOT, 'dist/hosts/ssh-host.js'));
const { parseKnownHosts } = await import(join(ROOT, 'dist/hosts/known-hosts.js'));
const { gatherFacts } = await import(join(ROOT, 'dist/hosts/facts.js'));
const { assetDownloadOperation } = await import(join(ROOT, 'dist/operations/asset-download.js'));

const sshOptions = [
  '-i',
  `${LAB_RUN}/id_ed25519`,
  '-o',
  `UserKnownHostsFile=${LAB_RUN}/known_hosts`,
  '-o',
  'BatchMode=yes',
];
const onHost = (host, script) =>
  spawnSync('ssh', [...sshOptions, `root@${host.address}`, script], { stdio: 'ignore' }).status;
const RESET =
  'systemctl disable --now serve-assets >/dev/null 2>&1; rm -rf /opt/assets /etc/systemd/system/serve-assets.service /var/tmp/wil-bench-assets; systemctl daemon-reload';
const resetAll = () => {
  for (const host of hosts) onHost(host, RESET);
};

// A bundle in Wire's layout with one large random file in binaries.tar.
const dir = mkdtempSync(join(tmpdir(), 'wil-bench-assets-'));
const bundle = join(dir, 'bundle');
const content = join(dir, 'content');
mkdirSync(join(bundle, 'charts', 'wire-server'), { recursive: true });
mkdirSync(join(bundle, 'values'), { recursive: true });
writeFileSync(join(bundle, 'charts', 'wire-server', 'Chart.yaml'), 'name: wire-server\nversion: 5.32.0\n');
for (const name of ['debs-jammy', 'binaries', 'containers-system', 'containers-helm']) {
  mkdirSync(join(content, name), { recursive: true });
  writeFileSync(join(content, name, 'index.txt'), `${name}\n`);
}
const big = join(content, 'binaries', 'big.bin');
writeFileSync(big, Buffer.alloc(0));
for (let i = 0; i < MIB; i += 1) writeFileSync(big, randomBytes(1024 * 1024), { flag: 'a' });
for (const name of ['debs-jammy', 'binaries', 'containers-system', 'containers-helm'])
  execFileSync('tar', ['-cf', join(bundle, `${name}.tar`), '-C', content, name]);

// An inventory of the five hosts (the fifth the asset host), and a HOME that knows their keys.
const home = join(dir, 'home');
mkdirSync(join(home, '.ssh'), { recursive: true });
copyFileSync(`${LAB_RUN}/known_hosts`, join(home, '.ssh', 'known_hosts'));
const roles = (index) =>
  index < 3
    ? 'kube-control-plane, kube-worker, cassandra, elasticsearch, minio, postgresql, rabbitmq'
    : index === 4
      ? 'assethost'
      : 'kube-worker';
writeFileSync(
  join(dir, 'inventory.yaml'),
  [
    'apiVersion: wire-install/v1',
    'kind: Inventory',
    'mode: production',
    'domain: wire.lab.test',
    'certificates:',
    '  mode: self-signed',
    'ssh:',
    '  user: root',
    `  identityFile: ${LAB_RUN}/id_ed25519`,
    'bundle:',
    `  path: ${bundle}`,
    'hosts:',
    ...hosts.map((h, i) => `  - { name: ${h.name}, address: ${h.address}, roles: [${roles(i)}] }`),
    '',
  ].join('\n'),
);

function apply() {
  const started = performance.now();
  const run = spawnSync(
    join(ROOT, 'bin/wire-install'),
    ['apply', '--only', 'preflight.ssh,assets', '--force', 'assets', '--json', '-i', 'inventory.yaml'],
    { cwd: dir, env: { ...process.env, HOME: home }, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`apply failed: ${run.stderr}${run.stdout.slice(-2000)}`);
  return (performance.now() - started) / 1000;
}

async function downloadOnNodes() {
  const knownHosts = parseKnownHosts(readFileSync(`${LAB_RUN}/known_hosts`, 'utf8'));
  const nodes = hosts.slice(0, 4);
  const connections = await Promise.all(
    nodes.map((h) =>
      connectSsh(
        { name: h.name, address: h.address, port: 22, user: 'root', identityFile: `${LAB_RUN}/id_ed25519` },
        { knownHosts },
      ),
    ),
  );
  const started = performance.now();
  await Promise.all(
    connections.map(async (host) => {
      const facts = await gatherFacts(host);
      const operation = assetDownloadOperation({
        baseUrl: `http://${hosts[4].address}:8080`,
        file: 'binaries/big.bin',
        path: '/var/tmp/wil-bench-assets/big.bin',
        mode: 0o644,
        bundleStamp: 'bench',
      });
      await operation.apply({ host, facts, changedPaths: new Set() });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const host of connections) host.close();
  return seconds;
}

resetAll();
try {
  const first = apply();
  const again = apply();
  const download = await downloadOnNodes();
  const downloadAgain = await downloadOnNodes();
  const rate = (mib, seconds) => `${(mib / seconds).toFixed(0)} MiB/s`;
  console.log(`bundle: ${MIB} MiB in binaries.tar; asset host ${hosts[4].name}; 4 nodes downloading`);
  console.log(
    `assets stage, first run (upload, unpack, checksums, serve): ${first.toFixed(2)} s (${rate(MIB, first)})`,
  );
  console.log(`assets stage, nothing to do (forced; checksums compared): ${again.toFixed(2)} s`);
  console.log(
    `4 nodes download ${MIB} MiB each at once, checked: ${download.toFixed(2)} s (${rate(4 * MIB, download)} in total)`,
  );
  console.log(`the same with every copy current: ${downloadAgain.toFixed(2)} s`);
} finally {
  resetAll();
}
