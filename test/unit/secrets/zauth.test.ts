import { describe, expect, it } from 'vitest';
import {
  decodeZauth,
  encodeZauth,
  generateZauthKeyPair,
  zauthKeyPairProblem,
  zauthPublicKeyOf,
  zauthSign,
  zauthVerify,
} from '../../../src/secrets/zauth.js';

const URL_SAFE_PADDED = /^[A-Za-z0-9_-]+={0,2}$/;

function raw(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

describe('zauth keys (Wire format: Ed25519, URL-safe base64 with padding)', () => {
  it('has the lengths and alphabet of `zauth -m gen-keypair`', () => {
    const pair = generateZauthKeyPair();
    expect(pair.publicKey).toMatch(URL_SAFE_PADDED);
    expect(pair.secretKey).toMatch(URL_SAFE_PADDED);
    expect(pair.publicKey).toHaveLength(44);
    expect(pair.publicKey.endsWith('=')).toBe(true);
    expect(pair.secretKey).toHaveLength(88);
    expect(pair.secretKey.endsWith('==')).toBe(true);
    expect(raw(pair.publicKey)).toHaveLength(32);
    expect(raw(pair.secretKey)).toHaveLength(64);
  });

  it("the secret key's last 32 bytes are the public key", () => {
    const pair = generateZauthKeyPair();
    expect(raw(pair.secretKey).subarray(32).equals(raw(pair.publicKey))).toBe(true);
    expect(zauthPublicKeyOf(pair.secretKey)).toBe(pair.publicKey);
    expect(zauthKeyPairProblem(pair)).toBeUndefined();
  });

  it('signs and verifies; a tampered message or signature fails; another key fails', () => {
    const pair = generateZauthKeyPair();
    const other = generateZauthKeyPair();
    const message = 'v=1;k=1;d=1700000000;t=a;l=;u=6ba7b810-9dad-11d1-80b4-00c04fd430c8;c=42';
    const signature = zauthSign(pair.secretKey, message);
    expect(raw(signature)).toHaveLength(64);
    expect(zauthVerify(pair.publicKey, message, signature)).toBe(true);
    expect(zauthVerify(pair.publicKey, `${message}3`, signature)).toBe(false);
    expect(zauthVerify(other.publicKey, message, signature)).toBe(false);
    const flipped = raw(signature);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(zauthVerify(pair.publicKey, message, encodeZauth(flipped))).toBe(false);
  });

  it('uses -_ instead of +/ and round-trips', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0xfe]);
    expect(bytes.toString('base64')).toBe('+/+//g==');
    expect(encodeZauth(bytes)).toBe('-_-__g==');
    expect(decodeZauth('-_-__g==', 4)?.equals(bytes)).toBe(true);
    expect(decodeZauth('+/+//g==', 4)).toBeUndefined();
    expect(decodeZauth('-_-__g', 4)).toBeUndefined();
  });

  it('reports a public key that does not belong to the secret key, without key material', () => {
    const a = generateZauthKeyPair();
    const b = generateZauthKeyPair();
    const problem = zauthKeyPairProblem({ publicKey: b.publicKey, secretKey: a.secretKey });
    expect(problem?.key).toBe('publicKey');
    expect(problem?.message).not.toContain(a.secretKey);
    expect(problem?.message).not.toContain(b.publicKey);
  });

  it('reports a secret key whose halves do not belong together', () => {
    const a = raw(generateZauthKeyPair().secretKey);
    const b = raw(generateZauthKeyPair().secretKey);
    const mixed = encodeZauth(Buffer.concat([a.subarray(0, 32), b.subarray(32)]));
    expect(zauthKeyPairProblem({ secretKey: mixed })?.message).toMatch(/inconsistent/);
    expect(zauthKeyPairProblem({ secretKey: 'short' })?.key).toBe('secretKey');
  });
});
