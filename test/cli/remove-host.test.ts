import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/**
 * remove-host's refusals through the built CLI, each exit 2 with its reason and the inventory
 * untouched. The hosts are loopback addresses on a port where nothing answers SSH (a TCP
 * listener this test opens and closes at once on each connection), so every host is "not
 * answering", as a switched-off machine is: no real host is contacted.
 */
let dir: string;
let server: Server;
let port: number;

const host = (name: string, address: string, roles: string) =>
  `  - { name: ${name}, address: ${address}, roles: [${roles}] }`;
const KUBE = 'kube-control-plane, kube-worker';
const inventory = (hosts: string[]) =>
  [
    'apiVersion: wire-install/v1',
    'kind: Inventory',
    'mode: production',
    'domain: wire.example.com',
    'certificates:',
    '  mode: self-signed',
    'ssh:',
    '  user: root',
    '  identityFile: ./id_ed25519',
    `  port: ${port}`,
    '# the hosts, as the operator wrote them',
    'hosts:',
    ...hosts,
    '',
  ].join('\n');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wil-remove-host-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id_ed25519')]);
  server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => server?.close());

async function removeHost(name: string, hosts: string[], ...args: string[]) {
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, inventory(hosts));
  const result = await runCli(['remove-host', name, '-i', file, ...args], {
    cwd: dir,
    env: { HOME: dir, WIRE_INSTALL_ONLY_NETWORKS: '127.0.0.0/8' },
  });
  return { ...result, unchanged: readFileSync(file, 'utf8') === inventory(hosts) };
}

describe('wire-install remove-host refuses what would lose data or quorum (exit 2, nothing changed)', () => {
  it('the last PostgreSQL primary, with no standby', async () => {
    const result = await removeHost(
      'pg1',
      [host('pg1', '127.0.0.11', 'postgresql'), host('k1', '127.0.0.21', KUBE)],
      '--confirm',
      'pg1',
    );
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stdout).toContain(
      'PostgreSQL: pg1 is the last PostgreSQL host, the primary: removing it loses',
    );
    expect(result.unchanged).toBe(true);
  });

  it('a Cassandra node when fewer nodes than the replication factor would remain', async () => {
    const cassandra = ['c1', 'c2', 'c3'].map((name, index) =>
      host(name, `127.0.0.${31 + index}`, 'cassandra'),
    );
    const result = await removeHost('c2', cassandra, '--confirm', 'c2');
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stdout).toContain(
      "Cassandra: Wire's keyspaces keep 3 copies of every row (replication factor 3); with c2 gone 2 nodes would remain",
    );
    expect(result.unchanged).toBe(true);
  });

  it('a control plane when the ones left that answer are too few for etcd quorum', async () => {
    const planes = ['k1', 'k2', 'k3'].map((name, index) => host(name, `127.0.0.${21 + index}`, KUBE));
    const result = await removeHost('k1', planes, '--plan');
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stdout).toContain(
      'Kubernetes: etcd would lose quorum: with k1 gone 2 control planes remain and 0 of them answer (none); etcd needs 2 of 2',
    );
    expect(result.stderr).toMatch(/k2 does not answer/);
  });

  it('a MinIO server, which cannot leave its erasure-coded pool', async () => {
    const minio = ['m1', 'm2', 'm3', 'm4'].map((name, index) => host(name, `127.0.0.${41 + index}`, 'minio'));
    const result = await removeHost('m4', minio, '--plan');
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain('MinIO: m4 is one server of the erasure-coded server pool');
  });

  it('a host the inventory does not have, and a confirmation naming another host', async () => {
    const hosts = [host('pg1', '127.0.0.11', 'postgresql'), host('pg2', '127.0.0.12', 'postgresql')];
    const unknown = await removeHost('pg9', hosts, '--plan');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('pg9 is not a host of');
    expect(unknown.stderr).toContain('hosts: pg1, pg2');
    // pg2, a standby, could go; --confirm must name it.
    const wrong = await removeHost('pg2', hosts, '--confirm', 'pg1');
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain(
      '--confirm pg1 does not name the host to remove (pg2); nothing was changed',
    );
    expect(wrong.unchanged).toBe(true);
  });
});

describe('wire-install replace-host refuses a replacement it cannot make (exit 2, nothing changed)', () => {
  async function replaceHost(old: string, hosts: string[], ...args: string[]) {
    const file = join(dir, 'inventory.yaml');
    writeFileSync(file, inventory(hosts));
    const result = await runCli(['replace-host', old, '-i', file, ...args], {
      cwd: dir,
      env: { HOME: dir, WIRE_INSTALL_ONLY_NETWORKS: '127.0.0.0/8' },
    });
    return { ...result, unchanged: readFileSync(file, 'utf8') === inventory(hosts) };
  }
  const rabbits = ['r1', 'r2', 'r3'].map((name, index) => host(name, `127.0.0.${51 + index}`, 'rabbitmq'));

  it('a new host that is not in the inventory, or that does not answer', async () => {
    const missing = await replaceHost('r3', rabbits, '--with', 'r4', '--plan');
    expect(missing.exitCode).toBe(2);
    expect(missing.stdout).toContain('replace-host r3 --with r4 (roles: rabbitmq)');
    expect(missing.stdout).toContain(
      'r4 is not in the inventory: add it under hosts: with its address and the roles of r3 (rabbitmq)',
    );
    const silent = await replaceHost(
      'r3',
      [...rabbits, host('r4', '127.0.0.54', 'rabbitmq')],
      '--with',
      'r4',
      '--confirm',
      'r3',
    );
    expect(silent.exitCode).toBe(2);
    expect(silent.stdout).toContain('r4 does not answer over SSH: it is installed first');
    expect(silent.unchanged).toBe(true);
  });

  it('without --with, as bad usage', async () => {
    const result = await replaceHost('r3', rabbits);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("required option '--with <new>' not specified");
  });
});
