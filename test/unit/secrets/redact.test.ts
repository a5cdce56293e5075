import { describe, expect, it } from 'vitest';
import { generateSecrets } from '../../../src/secrets/generate.js';
import { REDACTED, redact, redactDeep, secretValues } from '../../../src/secrets/redact.js';

describe('redact', () => {
  const secrets = { ...generateSecrets(), ssh: { becomePassword: 'sudo-pass-123' } };
  const values = secretValues(secrets);

  it('lists every leaf value, each PEM included, but not the monitoring user name', () => {
    expect(values).toContain(secrets.zauth.secretKey);
    expect(values).toContain(secrets.zauth.publicKey);
    expect(values).toContain(secrets.turnSecret);
    expect(values).toContain(secrets.minio.rootPassword);
    expect(values).toContain(secrets.rabbitmq.erlangCookie);
    expect(values).toContain(secrets.postgresql.password);
    expect(values).toContain(secrets.ssh.becomePassword);
    for (const pem of Object.values(secrets.mlsRemovalKeys)) expect(values).toContain(pem);
    expect(values).not.toContain('admin');
  });

  it('removes every value from text', () => {
    const text = [
      `helm upgrade --set brig.turn.secret=${secrets.turnSecret}`,
      `password: ${secrets.postgresql.password} and again ${secrets.postgresql.password}`,
      `key:\n${secrets.mlsRemovalKeys.ecdsa_secp521r1_sha512}`,
      `sudo: ${secrets.ssh.becomePassword}`,
      'user admin logged in',
    ].join('\n');
    const out = redact(text, values);
    for (const value of values) expect(out).not.toContain(value);
    expect(out).toContain(`--set brig.turn.secret=${REDACTED}`);
    expect(out).toContain(`password: ${REDACTED} and again ${REDACTED}`);
    expect(out).toContain('user admin logged in');
    expect(out).not.toContain('PRIVATE KEY-----\nMI');
  });

  it('catches a PEM re-indented in YAML or escaped in JSON', () => {
    const pem = secrets.mlsRemovalKeys.ecdsa_secp384r1_sha384;
    const indented = pem
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n');
    const json = JSON.stringify({ key: pem });
    const body = pem.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
    for (const text of [indented, json]) {
      const out = redact(text, values);
      for (const line of body) expect(out).not.toContain(line);
    }
  });

  it('replaces the longest value first', () => {
    expect(redact('abcdef abc', ['abc', 'abcdef'])).toBe(`${REDACTED} ${REDACTED}`);
    expect(redact('nothing here', [''])).toBe('nothing here');
  });
});

describe('redactDeep', () => {
  it('redacts every string of an event, in arrays and nested objects, and keeps the rest', () => {
    const secrets = generateSecrets();
    const password = secrets.postgresql.password;
    const event = {
      type: 'failure',
      host: 'datanode1',
      exitCode: 3,
      evidence: [`| FATAL: password authentication failed (${password})`, 'command: psql'],
      nested: { error: `brig-schema: ${password}` },
    };
    expect(redactDeep(event, secretValues(secrets))).toEqual({
      type: 'failure',
      host: 'datanode1',
      exitCode: 3,
      evidence: [`| FATAL: password authentication failed (${REDACTED})`, 'command: psql'],
      nested: { error: `brig-schema: ${REDACTED}` },
    });
  });
});
