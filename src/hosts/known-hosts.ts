import { createHmac } from 'node:crypto';

/**
 * OpenSSH known_hosts, read so wire-install verifies host keys the way `ssh` does: plain and
 * hashed (`|1|salt|hash`) host patterns, `[host]:port` for ports other than 22. Wildcard
 * patterns and @cert-authority/@revoked markers are not supported yet (such lines are skipped).
 */

export interface KnownHostEntry {
  /** Comma-separated plain patterns, or undefined for a hashed entry. */
  patterns: string[] | undefined;
  hashed: { salt: Buffer; hash: Buffer } | undefined;
  keyType: string;
  /** The key blob, base64, as in the file. */
  key: string;
}

export type HostKeyVerdict =
  | { status: 'match' }
  | { status: 'mismatch'; expected: string[] }
  | { status: 'unknown' };

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('@')) continue;
    const [hosts, keyType, key] = line.split(/\s+/);
    if (!hosts || !keyType || !key) continue;
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      if (!salt || !hash) continue;
      entries.push({
        patterns: undefined,
        hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') },
        keyType,
        key,
      });
    } else {
      entries.push({ patterns: hosts.split(','), hashed: undefined, keyType, key });
    }
  }
  return entries;
}

/** How OpenSSH names a host in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function entryNames(entry: KnownHostEntry, name: string): boolean {
  if (entry.patterns) return entry.patterns.includes(name);
  if (!entry.hashed) return false;
  const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
  return digest.equals(entry.hashed.hash);
}

/**
 * Whether `keyBlob` (the server's key as ssh2 hands it over) is the key known for the host.
 * A host with known keys of any type that does not list this one is a mismatch: that is
 * exactly the case where ssh prints "REMOTE HOST IDENTIFICATION HAS CHANGED".
 */
export function verifyHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyBlob: Buffer,
): HostKeyVerdict {
  const name = knownHostName(host, port);
  const known = entries.filter((entry) => entryNames(entry, name));
  if (known.length === 0) return { status: 'unknown' };
  const offered = keyBlob.toString('base64');
  if (known.some((entry) => entry.key === offered)) return { status: 'match' };
  return { status: 'mismatch', expected: known.map((entry) => entry.keyType) };
}
