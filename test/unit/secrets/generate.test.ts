import { createPrivateKey } from 'node:crypto';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { GENERATED_STRINGS, generateSecrets, type WireSecrets } from '../../../src/secrets/generate.js';
import { MLS_REMOVAL_KEY_NAMES, mlsKeyProblem } from '../../../src/secrets/mls.js';
import { randomString } from '../../../src/secrets/random.js';
import { type SecretsFile, secretsFileSchema } from '../../../src/secrets/schema.js';

describe('generateSecrets', () => {
  const secrets = generateSecrets();

  it('matches the schema type (the interface and the zod schema agree)', () => {
    expectTypeOf<Omit<SecretsFile, 'apiVersion' | 'kind'>>().toEqualTypeOf<WireSecrets>();
    const parsed = secretsFileSchema.safeParse({
      apiVersion: 'wire-install/v1',
      kind: 'Secrets',
      ...secrets,
    });
    expect(parsed.success).toBe(true);
  });

  it('makes strings of the documented lengths and alphabets', () => {
    expect(secrets.turnSecret).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(secrets.minio.rootUser).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(secrets.minio.rootPassword).toMatch(/^[A-Za-z0-9]{42}$/);
    expect(secrets.minio.cargoholdAccessKey).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(secrets.minio.cargoholdSecretKey).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(secrets.rabbitmq.username).not.toBe('guest');
    expect(secrets.rabbitmq.username).toMatch(/^wire-[a-z0-9]{10}$/);
    expect(secrets.rabbitmq.password).toMatch(/^[A-Za-z0-9]{42}$/);
    expect(secrets.rabbitmq.erlangCookie).toMatch(/^[A-Z]{20,}$/);
    expect(secrets.rabbitmq.erlangCookie).not.toBe('WKRBTTEQRYPTQOPUKSVF');
    expect(secrets.postgresql.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(secrets.monitoring).toEqual({
      username: 'admin',
      password: expect.stringMatching(/^[A-Za-z0-9]{16}$/),
    });
    expect(secrets.ssh).toBeUndefined();
    expect(secrets.smtp).toBeUndefined();
  });

  it('makes different values every time', () => {
    const again = generateSecrets();
    expect(again.turnSecret).not.toBe(secrets.turnSecret);
    expect(again.zauth.secretKey).not.toBe(secrets.zauth.secretKey);
    expect(again.mlsRemovalKeys.ed25519).not.toBe(secrets.mlsRemovalKeys.ed25519);
  });

  it('makes the four MLS removal keys as PKCS#8 PEM of the right type and curve', () => {
    const expected = {
      ed25519: ['ed25519', undefined],
      ecdsa_secp256r1_sha256: ['ec', 'prime256v1'],
      ecdsa_secp384r1_sha384: ['ec', 'secp384r1'],
      ecdsa_secp521r1_sha512: ['ec', 'secp521r1'],
    } as const;
    for (const name of MLS_REMOVAL_KEY_NAMES) {
      const pem = secrets.mlsRemovalKeys[name];
      expect(pem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
      const key = createPrivateKey(pem);
      expect(key.asymmetricKeyType).toBe(expected[name][0]);
      expect(key.asymmetricKeyDetails?.namedCurve).toBe(expected[name][1]);
      expect(mlsKeyProblem(name, pem)).toBeUndefined();
    }
    expect(mlsKeyProblem('ecdsa_secp384r1_sha384', secrets.mlsRemovalKeys.ecdsa_secp256r1_sha256)).toMatch(
      /P-384.*found ec on prime256v1/,
    );
    expect(mlsKeyProblem('ed25519', 'not a key')).toMatch(/PEM private key/);
    const encrypted = createPrivateKey(secrets.mlsRemovalKeys.ed25519)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
      .toString();
    expect(mlsKeyProblem('ed25519', encrypted)).toMatch(/encrypted with a passphrase/);
  });

  it('documents every generated string', () => {
    expect(Object.keys(GENERATED_STRINGS)).toContain('turnSecret');
  });
});

describe('randomString', () => {
  it('uses only the alphabet and the requested length', () => {
    expect(randomString(1000, 'ab')).toMatch(/^[ab]{1000}$/);
    expect(randomString(0, 'ab')).toBe('');
  });

  it('is close to uniform (no modulo bias over 62 characters)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const text = randomString(62 * 2000, alphabet);
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // With modulo bias, the first 8 characters would appear 5/4 as often (2500 vs 2000).
    const first = [...alphabet.slice(0, 8)].reduce((sum, ch) => sum + (counts.get(ch) ?? 0), 0) / 8;
    const rest = [...alphabet.slice(8)].reduce((sum, ch) => sum + (counts.get(ch) ?? 0), 0) / 54;
    expect(first / rest).toBeGreaterThan(0.93);
    expect(first / rest).toBeLessThan(1.07);
  });

  it('rejects bad alphabets', () => {
    expect(() => randomString(4, 'a')).toThrow(RangeError);
    expect(() => randomString(4, 'aa')).toThrow(RangeError);
  });
});
