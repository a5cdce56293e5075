import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isWireInstallError } from '../../../src/core/errors.js';
import { parseKnownHosts, verifyHostKey } from '../../../src/hosts/known-hosts.js';
import {
  checkHostKey,
  keyFingerprint,
  keyTypeOf,
  TRUST_FILE,
  TrustStore,
} from '../../../src/hosts/trust-on-first-use.js';

/** An ed25519 public key blob as SSH sends it: string "ssh-ed25519", string key. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const withLength = (data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, data]);
  };
  return Buffer.concat([withLength(Buffer.from('ssh-ed25519')), withLength(raw)]);
}

const hasKeygen = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status !== undefined;
  }
})();

describe('host key fingerprints', () => {
  const blob = ed25519Blob();

  it('reads the key type from the blob', () => {
    expect(keyTypeOf(blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(Buffer.from([0, 0]))).toBe('unknown');
  });

  it('is SHA256:<base64 without padding>, accepting the blob or its base64', () => {
    const fingerprint = keyFingerprint(blob);
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyFingerprint(blob.toString('base64'))).toBe(fingerprint);
    expect(keyFingerprint(ed25519Blob())).not.toBe(fingerprint);
  });

  it.skipIf(!hasKeygen)('equals what ssh-keygen -lf prints', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wire-install-fp-'));
    try {
      await writeFile(join(dir, 'key.pub'), `ssh-ed25519 ${blob.toString('base64')} test\n`);
      const printed = execFileSync('ssh-keygen', ['-lf', join(dir, 'key.pub')], { encoding: 'utf8' });
      expect(printed.split(' ')[1]).toBe(keyFingerprint(blob));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('trust store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wire-install-tofu-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('starts empty without a file and creates none until a record', async () => {
    const store = await TrustStore.open(dir);
    expect(store.entries()).toEqual([]);
    expect(store.path).toBe(join(dir, TRUST_FILE));
    expect(await readdir(dir)).toEqual([]);
  });

  it('records keys in OpenSSH known_hosts format, mode 0600, and reads them back', async () => {
    const a = ed25519Blob();
    const b = ed25519Blob();
    const store = await TrustStore.open(dir);
    await store.record('10.0.0.1', 22, 'ssh-ed25519', a.toString('base64'));
    await store.record('10.0.0.2', 2222, 'ssh-ed25519', b.toString('base64'));
    // The in-memory entries serve the next connection at once.
    expect(verifyHostKey(store.entries(), '10.0.0.1', 22, a)).toEqual({ status: 'match' });

    const text = await readFile(store.path, 'utf8');
    expect(text).toContain(`\n10.0.0.1 ssh-ed25519 ${a.toString('base64')}\n`);
    expect(text).toContain(`\n[10.0.0.2]:2222 ssh-ed25519 ${b.toString('base64')}\n`);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);

    const reopened = await TrustStore.open(dir);
    expect(verifyHostKey(reopened.entries(), '10.0.0.1', 22, a)).toEqual({ status: 'match' });
    expect(verifyHostKey(reopened.entries(), '10.0.0.2', 2222, b)).toEqual({ status: 'match' });
    expect(verifyHostKey(reopened.entries(), '10.0.0.2', 2222, a).status).toBe('mismatch');
    expect(verifyHostKey(reopened.entries(), '10.0.0.2', 22, b).status).toBe('unknown');
  });

  it.skipIf(!hasKeygen)('is a file ssh-keygen reads as known_hosts', async () => {
    const a = ed25519Blob();
    const store = await TrustStore.open(dir);
    await store.record('10.0.0.1', 22, 'ssh-ed25519', a.toString('base64'));
    const found = execFileSync('ssh-keygen', ['-F', '10.0.0.1', '-f', store.path], { encoding: 'utf8' });
    expect(found).toContain(a.toString('base64'));
  });

  it('keeps every one of many concurrent records, and leaves no temporary files', async () => {
    const store = await TrustStore.open(dir);
    const keys = Array.from({ length: 20 }, () => ed25519Blob());
    await Promise.all(
      keys.map((key, i) => store.record(`10.0.1.${i}`, 22, 'ssh-ed25519', key.toString('base64'))),
    );
    const reopened = await TrustStore.open(dir);
    for (const [i, key] of keys.entries()) {
      expect(verifyHostKey(reopened.entries(), `10.0.1.${i}`, 22, key)).toEqual({ status: 'match' });
    }
    expect(await readdir(dir)).toEqual([TRUST_FILE]);
  });

  it('replaces the file whole (a reader never sees a part) and keeps lines it did not write', async () => {
    const old = ed25519Blob();
    await writeFile(join(dir, TRUST_FILE), `# mine\n10.0.0.9 ssh-ed25519 ${old.toString('base64')}\n`);
    const store = await TrustStore.open(dir);
    const before = (await stat(store.path)).ino;
    await store.record('10.0.0.1', 22, 'ssh-ed25519', ed25519Blob().toString('base64'));
    // A rename, not an in-place write: the file is a new inode.
    expect((await stat(store.path)).ino).not.toBe(before);
    const text = await readFile(store.path, 'utf8');
    expect(text.startsWith(`# mine\n10.0.0.9 ssh-ed25519 ${old.toString('base64')}\n`)).toBe(true);
  });

  it('records a key once, and refuses a second key for a recorded host', async () => {
    const a = ed25519Blob();
    const store = await TrustStore.open(dir);
    await store.record('10.0.0.1', 22, 'ssh-ed25519', a.toString('base64'));
    await store.record('10.0.0.1', 22, 'ssh-ed25519', a.toString('base64'));
    const lines = (await readFile(store.path, 'utf8')).split('\n').filter((line) => line.startsWith('10.'));
    expect(lines).toHaveLength(1);

    const error = await store.record('10.0.0.1', 22, 'ssh-ed25519', ed25519Blob().toString('base64')).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isWireInstallError(error) && error.what).toContain('already has another key');
    expect(verifyHostKey(store.entries(), '10.0.0.1', 22, a)).toEqual({ status: 'match' });
  });
});

describe('checking a key against several known_hosts sources', () => {
  const a = ed25519Blob();
  const b = ed25519Blob();
  const line = (host: string, key: Buffer) => `${host} ssh-ed25519 ${key.toString('base64')}`;

  it('names the files that list the host, or all searched when none does', () => {
    const sources = [
      { entries: parseKnownHosts(line('10.0.0.1', a)), files: ['/home/u/.ssh/known_hosts'] },
      { entries: parseKnownHosts(line('10.0.0.2', a)), files: ['/inv/.wire-install/known_hosts'] },
    ];
    expect(checkHostKey(sources, '10.0.0.2', 22, b)).toEqual({
      verdict: { status: 'mismatch', expected: ['ssh-ed25519'] },
      files: ['/inv/.wire-install/known_hosts'],
    });
    expect(checkHostKey(sources, '10.0.0.1', 22, a).verdict).toEqual({ status: 'match' });
    expect(checkHostKey(sources, '10.0.0.3', 22, a)).toEqual({
      verdict: { status: 'unknown' },
      files: ['/home/u/.ssh/known_hosts', '/inv/.wire-install/known_hosts'],
    });
  });
});
