import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scramMatches } from '../../../src/operations/postgresql-role.js';

/** A SCRAM-SHA-256 verifier as PostgreSQL stores it in pg_authid.rolpassword (RFC 5802/7677). */
function verifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest('base64');
  const serverKey = createHmac('sha256', salted).update('Server Key').digest('base64');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey}:${serverKey}`;
}

describe('the password check against a stored SCRAM verifier', () => {
  it('matches the password the verifier was made from, and nothing else', () => {
    const stored = verifier('correct horse');
    expect(scramMatches(stored, 'correct horse')).toBe(true);
    expect(scramMatches(stored, 'correct horse ')).toBe(false);
  });

  it('does not match what is not a SCRAM verifier (no password, md5)', () => {
    expect(scramMatches('', 'x')).toBe(false);
    expect(scramMatches('md5e8a48653851e28c69d0506508fb27fc5', 'x')).toBe(false);
  });
});
