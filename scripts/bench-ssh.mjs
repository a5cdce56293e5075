// Measures the SSH host: connect, then 100 sequential `true` on one connection, against the lab.
// Prints figures; asserts nothing.  usage: test/lab/lab.sh up 1 && npm run build && node scripts/bench-ssh.mjs
import { readFileSync } from 'node:fs';
import { parseKnownHosts } from '../dist/hosts/known-hosts.js';
import { connectSsh } from '../dist/hosts/ssh-host.js';

const run = '/run/wire-install-lab';
const [name, address] = readFileSync(`${run}/hosts`, 'utf8').trim().split('\n')[0].split(' ');
const knownHosts = parseKnownHosts(readFileSync(`${run}/known_hosts`, 'utf8'));
const count = Number(process.argv[2] ?? 100);

let start = process.hrtime.bigint();
const host = await connectSsh(
  { name, address, port: 22, user: 'root', identityFile: `${run}/id_ed25519` },
  { knownHosts },
);
const connectMs = Number(process.hrtime.bigint() - start) / 1e6;
start = process.hrtime.bigint();
for (let i = 0; i < count; i += 1) await host.exec('true');
const sequentialMs = Number(process.hrtime.bigint() - start) / 1e6;
start = process.hrtime.bigint();
await Promise.all(Array.from({ length: count }, () => host.exec('true')));
const parallelMs = Number(process.hrtime.bigint() - start) / 1e6;
host.close();
console.log(`connect (TCP + SSH handshake + key auth): ${connectMs.toFixed(0)} ms`);
console.log(
  `${count} sequential \`true\` on one connection: ${sequentialMs.toFixed(0)} ms (${(sequentialMs / count).toFixed(1)} ms each)`,
);
console.log(
  `${count} concurrent \`true\` on one connection (8 channels at a time): ${parallelMs.toFixed(0)} ms`,
);
