import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactKeyLike } from '../../../src/doctor/support-bundle/key-patterns.js';
import { Redactor } from '../../../src/doctor/support-bundle/redactor.js';
import { secretValues } from '../../../src/secrets/redact.js';
import { testSecrets } from '../../support/test-secrets.js';

/** The support bundle's redaction: what looks like a key goes, ordinary text stays as it was. */

const realKey = () =>
  generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

describe('key-like patterns', () => {
  it('replaces a PEM private key block, and the start of one a log cut off', () => {
    const key = realKey();
    const body = key.split('\n')[1] ?? '';
    const { text, count } = redactKeyLike(`before\n${key}after`);
    expect(text).not.toContain(body);
    expect(text).toContain('-----BEGIN PRIVATE KEY-----[redacted]-----END PRIVATE KEY-----');
    expect(text).toMatch(/^before\n.*\nafter$/s);
    expect(count).toBe(1);
    const rsa =
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun';
    expect(redactKeyLike(`log: ${rsa}`).text).not.toContain('MIIEowIBAAKCAQEAu1SU1');
  });

  it('replaces the values of passwords, secrets and tokens in every common spelling', () => {
    const lines = [
      ['password=hunter2hunter2', 'password=[redacted]'],
      ['PGPASSWORD: s3cr3t-Value', 'PGPASSWORD: [redacted]'],
      ['rootPassword: "with space inside"', 'rootPassword: "[redacted]"'],
      ['{"password":"abc123","user":"wire"}', '{"password":"[redacted]","user":"wire"}'],
      ["cargoholdSecretKey: 'xyz987'", "cargoholdSecretKey: '[redacted]'"],
      ['https://h/x?token=abcd1234&page=2', 'https://h/x?token=[redacted]&page=2'],
      [
        'kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:00ff',
        'kubeadm join 10.0.0.1:6443 --token [redacted] --discovery-token-ca-cert-hash sha256:00ff',
      ],
      ['--certificate-key=0123abcd', '--certificate-key=[redacted]'],
      ['RABBITMQ_ERLANG_COOKIE=TESTCOOKIE', 'RABBITMQ_ERLANG_COOKIE=[redacted]'],
      ['Authorization: Bearer eyJhbGciOi.abc123def456', 'Authorization: Bearer [redacted]'],
      ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic [redacted]'],
    ] as const;
    for (const [line, expected] of lines) expect(redactKeyLike(line).text, line).toBe(expected);
  });

  it('replaces AWS-style keys and JSON web tokens', () => {
    const id = 'AKIAIOSFODNN7EXAMPLE';
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXBhcnQ';
    const { text, count } = redactKeyLike(`mc alias set ${id} ${secret}\nsa ${jwt}`);
    expect(text).toBe('mc alias set [redacted] [redacted]\nsa [redacted]');
    expect(count).toBe(3);
  });

  it('leaves ordinary text alone: logs, describe output, digests and hashes', () => {
    const ordinary = [
      'Nov 23 15:41:32 labhost11 sshd[37]: Accepted publickey for root from 172.31.0.1 port 54914 ssh2: ED25519 SHA256:2bBgDULyxEeG6cNLIlGYhEAoiicPBwNbvUL/Fs214Ss',
      '    SecretName:  brig',
      '    TokenExpirationSeconds:  3607',
      '  kube-api-access-x2b9z:',
      'The password is checked by brig; a token bucket limits requests.',
      'Bearer authentication is configured on the ingress',
      'commit 2a21c35f0e8b7f1c4d9a6b3e5f7a8c9d0e1f2a3b',
      'image: quay.io/wire/brig@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
      '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUK\n-----END CERTIFICATE-----',
      'password:\n  next: value',
      'Mem:           24105         822       22640           9         949       23282',
    ].join('\n');
    expect(redactKeyLike(ordinary)).toEqual({ text: ordinary, count: 0 });
  });
});

describe('the redactor', () => {
  it('replaces every value of secrets.yaml and the key-like shapes, and counts each replacement', () => {
    const secrets = testSecrets();
    const redactor = new Redactor(secretValues(secrets));
    const text = [
      `brig says ${secrets.zauth.secretKey} twice ${secrets.zauth.secretKey}`,
      `escaped key ${JSON.stringify(secrets.mlsRemovalKeys.ed25519)}`,
      'password=not-from-secrets-yaml',
    ].join('\n');
    const out = redactor.apply(text);
    for (const value of secretValues(secrets)) expect(out).not.toContain(value);
    expect(out).not.toContain('not-from-secrets-yaml');
    // Two zauth copies, the PEM key's line in the JSON-escaped copy, the password.
    expect(redactor.count).toBe(4);
    expect(redactor.apply('monitoring user admin, administrator')).toBe(
      'monitoring user admin, administrator',
    );
    expect(redactor.count).toBe(4);
  });
});
