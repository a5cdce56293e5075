import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { WireInstallError } from '../core/errors.js';
import {
  type HostKeyVerdict,
  type KnownHostEntry,
  knownHostName,
  parseKnownHosts,
  verifyHostKey,
} from './known-hosts.js';

/**
 * Trust on first use: a host whose key is in none of the user's known_hosts files is accepted
 * once and its key recorded in `.wire-install/known_hosts` beside the inventory; from then on
 * that key is required, exactly as if it were in ~/.ssh/known_hosts. The file is in OpenSSH
 * known_hosts format (`host keytype base64`, `[host]:port` off port 22), so
 * `ssh -o UserKnownHostsFile=.wire-install/known_hosts` checks the same keys.
 */

export const TRUST_FILE = 'known_hosts';

const HEADER = [
  '# Host keys wire-install trusted on first use (the host was in no known_hosts file).',
  '# A changed key is refused; to accept one, remove its line (ssh-keygen -R <address> -f <this file>).',
];

/** `SHA256:<base64 without padding>` of a key blob, as `ssh-keygen -lf` prints it. */
export function keyFingerprint(keyBlob: Buffer | string): string {
  const blob = typeof keyBlob === 'string' ? Buffer.from(keyBlob, 'base64') : keyBlob;
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a blob names in its first field (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}

/** Where a set of known host keys came from: the files are named when a key is refused. */
export interface KnownHostsSource {
  entries: readonly KnownHostEntry[];
  files: readonly string[];
}

/**
 * Verifies a key against several sources at once (the user's known_hosts files and the trust
 * store): one verdict over all their entries, and the files of the sources that list the host,
 * or of every source when none does (the files that were searched).
 */
export function checkHostKey(
  sources: readonly KnownHostsSource[],
  host: string,
  port: number,
  keyBlob: Buffer,
): { verdict: HostKeyVerdict; files: string[] } {
  const verdict = verifyHostKey(
    sources.flatMap((source) => source.entries),
    host,
    port,
    keyBlob,
  );
  const listing = sources.filter(
    (source) => verifyHostKey(source.entries, host, port, keyBlob).status !== 'unknown',
  );
  return { verdict, files: (listing.length > 0 ? listing : sources).flatMap((source) => source.files) };
}

export class TrustStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    /** The store file, named in messages so the user knows which line to remove. */
    readonly path: string,
    private readonly lines: string[],
    private parsed: KnownHostEntry[],
  ) {}

  /** Reads `<stateDir>/known_hosts`; a missing file is an empty store (created on the first record). */
  static async open(stateDir: string): Promise<TrustStore> {
    const path = join(stateDir, TRUST_FILE);
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    return new TrustStore(path, lines.length > 0 ? lines : [...HEADER], parseKnownHosts(text));
  }

  entries(): KnownHostEntry[] {
    return [...this.parsed];
  }

  /**
   * Adds the key for `host` (an address, as connections verify it) and rewrites the whole file
   * atomically, mode 0600. The in-memory entries change at once, so a connection verified right
   * after sees the key; writes of concurrent records go in turn, each carrying every line.
   * A key already recorded is not added twice; a host recorded with another key is refused
   * (trust is given on first use only: a changed key is never recorded beside the old one).
   */
  record(host: string, port: number, keyType: string, keyBlobBase64: string): Promise<void> {
    const verdict = verifyHostKey(this.parsed, host, port, Buffer.from(keyBlobBase64, 'base64'));
    if (verdict.status === 'match') return this.writing;
    if (verdict.status === 'mismatch') {
      return Promise.reject(
        new WireInstallError({
          what: `${knownHostName(host, port)} already has another key in ${this.path}; the new one is not recorded`,
          next: `check the host's key on its console; if the change is expected, remove the old line with \`ssh-keygen -R ${knownHostName(host, port)} -f ${this.path}\``,
        }),
      );
    }
    const line = `${knownHostName(host, port)} ${keyType} ${keyBlobBase64}`;
    this.lines.push(line);
    this.parsed = [...this.parsed, ...parseKnownHosts(line)];
    const snapshot = `${this.lines.join('\n')}\n`;
    // A failed earlier write must not stop later ones: each write carries the whole file.
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => writeFileAtomic(this.path, snapshot, { mode: 0o600 }));
    return this.writing;
  }

  /** Removes every line for `host` (a host taken out of the installation: remove-host). */
  forget(host: string, port: number): Promise<void> {
    const name = knownHostName(host, port);
    const kept = this.lines.filter(
      (line) => line.startsWith('#') || !line.split(/\s+/)[0]?.split(',').includes(name),
    );
    if (kept.length === this.lines.length) return this.writing;
    this.lines.splice(0, this.lines.length, ...kept);
    this.parsed = parseKnownHosts(kept.join('\n'));
    const snapshot = `${kept.join('\n')}\n`;
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => writeFileAtomic(this.path, snapshot, { mode: 0o600 }));
    return this.writing;
  }
}
