import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type TrustedHostKey } from '../../src/hosts/ssh-host.js';
import { TRUST_FILE, TrustStore } from '../../src/hosts/trust-on-first-use.js';
import { wireInstallFailure } from '../support/failure.js';
import { LAB_KNOWN_HOSTS, labHosts, labTarget } from './lab-hosts.js';

/**
 * Trust on first use against a real sshd (the fourth lab host only): a host in no known_hosts is accepted
 * once with its fingerprint reported, recorded in the state, then held to that key.
 */

const hosts = labHosts();
const host = hosts[3];
const other = hosts[2];
if (!host || !other) throw new Error('the lab has fewer than four hosts');

/** The lab's known_hosts line of an address: `address keytype base64`. */
function labKeyLine(address: string): { keyType: string; key: string } {
  const line = readFileSync(LAB_KNOWN_HOSTS, 'utf8')
    .split('\n')
    .find((candidate) => candidate.split(' ')[0] === address);
  const [, keyType, key] = line?.split(' ') ?? [];
  if (!keyType || !key) throw new Error(`no key for ${address} in ${LAB_KNOWN_HOSTS}`);
  return { keyType, key };
}

describe('trust on first use on the fourth lab host', () => {
  let stateDir: string;
  let expectedFingerprint: string;
  const hostKey = labKeyLine(host.address);

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'wire-install-tofu-lab-'));
    // Independently of the code under test: ssh-keygen's own fingerprint of the host's key.
    const keyFile = join(stateDir, `${host.name}.pub`);
    await writeFile(keyFile, `${hostKey.keyType} ${hostKey.key}\n`);
    expectedFingerprint =
      execFileSync('ssh-keygen', ['-lf', keyFile], { encoding: 'utf8' }).split(' ')[1] ?? '';
    await rm(keyFile);
    expect(expectedFingerprint).toMatch(/^SHA256:/);
  });
  afterAll(() => rm(stateDir, { recursive: true, force: true }));

  it('refuses the unknown host without trust on first use', async () => {
    const error = await wireInstallFailure(connectSsh(labTarget(host), { knownHosts: [] }));
    expect(error.what).toContain('is not known');
    expect(error.evidence.join('\n')).toContain(expectedFingerprint);
  });

  it('accepts it on first use, reports the fingerprint ssh-keygen prints, and records the key', async () => {
    const store = await TrustStore.open(stateDir);
    const trusted: TrustedHostKey[] = [];
    const connection = await connectSsh(labTarget(host), {
      knownHosts: [],
      trustOnFirstUse: { store, onTrusted: (event) => trusted.push(event) },
    });
    try {
      expect((await connection.exec('hostname')).stdout.trim()).toBe(host.name);
    } finally {
      connection.close();
    }
    expect(trusted).toEqual([
      {
        host: host.name,
        address: host.address,
        port: 22,
        keyType: hostKey.keyType,
        fingerprint: expectedFingerprint,
      },
    ]);
    const recorded = await readFile(join(stateDir, TRUST_FILE), 'utf8');
    expect(recorded.split('\n')).toContain(`${host.address} ${hostKey.keyType} ${hostKey.key}`);
  });

  it('connects again with the recorded key, without trusting anew', async () => {
    const store = await TrustStore.open(stateDir);
    const trusted: TrustedHostKey[] = [];
    const connection = await connectSsh(labTarget(host), {
      knownHosts: [],
      trustOnFirstUse: { store, onTrusted: (event) => trusted.push(event) },
    });
    connection.close();
    expect(trusted).toEqual([]);
  });

  it('trusts once when several connections meet the new host at the same time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wire-install-tofu-lab-concurrent-'));
    try {
      const store = await TrustStore.open(dir);
      const trusted: TrustedHostKey[] = [];
      const options = {
        knownHosts: [],
        trustOnFirstUse: { store, onTrusted: (event: TrustedHostKey) => trusted.push(event) },
      };
      const connections = await Promise.all([1, 2, 3].map(() => connectSsh(labTarget(host), options)));
      for (const connection of connections) connection.close();
      expect(trusted.map((event) => event.fingerprint)).toEqual([expectedFingerprint]);
      const lines = (await readFile(join(dir, TRUST_FILE), 'utf8')).split('\n');
      expect(lines.filter((line) => line.startsWith(host.address))).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a key that differs from the recorded one, saying what to check', async () => {
    const changedDir = await mkdtemp(join(tmpdir(), 'wire-install-tofu-lab-changed-'));
    try {
      // The third host's key recorded under the fourth host's address: what a reinstalled host (or
      // a machine in between) looks like.
      const otherKey = labKeyLine(other.address);
      const storeFile = join(changedDir, TRUST_FILE);
      const before = `${host.address} ${otherKey.keyType} ${otherKey.key}\n`;
      await writeFile(storeFile, before);
      const store = await TrustStore.open(changedDir);
      const trusted: TrustedHostKey[] = [];
      const error = await wireInstallFailure(
        connectSsh(labTarget(host), {
          knownHosts: [],
          knownHostsFiles: ['/nonexistent/known_hosts'],
          trustOnFirstUse: { store, onTrusted: (event) => trusted.push(event) },
        }),
      );
      expect(error.host).toBe(host.name);
      expect(error.what).toContain('has changed');
      expect(error.what).toContain(storeFile);
      // Only the file that holds the old key is named, not every file searched.
      expect(error.what).not.toContain('/nonexistent/known_hosts');
      expect(error.evidence.join('\n')).toContain(`offered key: ${hostKey.keyType} ${expectedFingerprint}`);
      expect(error.next).toContain(`ssh-keygen -R ${host.address} -f ${storeFile}`);
      expect(error.next).toContain(expectedFingerprint);
      expect(trusted).toEqual([]);
      // Nothing was recorded beside the old key.
      expect(await readFile(storeFile, 'utf8')).toBe(before);
    } finally {
      await rm(changedDir, { recursive: true, force: true });
    }
  });
});
