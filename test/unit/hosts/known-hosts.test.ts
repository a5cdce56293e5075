import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { knownHostName, parseKnownHosts, verifyHostKey } from '../../../src/hosts/known-hosts.js';

const KEY_A = Buffer.from('key-a-blob');
const KEY_B = Buffer.from('key-b-blob');

function hashed(name: string): string {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

describe('known_hosts', () => {
  const text = [
    '# comment',
    `192.168.122.21,kubenode1 ssh-ed25519 ${KEY_A.toString('base64')}`,
    `${hashed('[192.168.122.22]:2222')} ssh-ed25519 ${KEY_B.toString('base64')}`,
    `@cert-authority *.example.com ssh-ed25519 ${KEY_A.toString('base64')}`,
    '',
  ].join('\n');
  const entries = parseKnownHosts(text);

  it('names hosts on other ports as [host]:port, like OpenSSH', () => {
    expect(knownHostName('h', 22)).toBe('h');
    expect(knownHostName('h', 2222)).toBe('[h]:2222');
  });

  it('matches plain and hashed entries', () => {
    expect(verifyHostKey(entries, '192.168.122.21', 22, KEY_A)).toEqual({ status: 'match' });
    expect(verifyHostKey(entries, '192.168.122.22', 2222, KEY_B)).toEqual({ status: 'match' });
  });

  it('calls a different key for a known host a mismatch, and an unlisted host unknown', () => {
    expect(verifyHostKey(entries, '192.168.122.21', 22, KEY_B)).toEqual({
      status: 'mismatch',
      expected: ['ssh-ed25519'],
    });
    expect(verifyHostKey(entries, '192.168.122.22', 22, KEY_B)).toEqual({ status: 'unknown' });
    expect(verifyHostKey(entries, '192.168.122.99', 22, KEY_A)).toEqual({ status: 'unknown' });
  });

  it('skips marker lines it does not support rather than trusting them', () => {
    expect(entries).toHaveLength(2);
  });
});
