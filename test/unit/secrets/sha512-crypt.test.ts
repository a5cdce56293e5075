import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { derivedSalt, sha512Crypt } from '../../../src/secrets/sha512-crypt.js';

/** The real openssl (`openssl passwd -6`) as the reference: what it prints, nginx's crypt() accepts. */
const openssl = (password: string, salt: string) =>
  execFileSync('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: `${password}\n` })
    .toString()
    .trim();

describe('SHA-512 crypt', () => {
  it("matches the specification's example", () => {
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
  });

  it.each([
    ['a generated password', 'Xk3pQ9zRt2LmN8vB4cH7jW1sD6fG0aYe', 'SSsLKEWdoXdDeQIC'],
    ['a long password (over 64 bytes)', 'p'.repeat(150), 'abcdefghijklmnop'],
    ['UTF-8 and the salt alphabet', 'pässwörd €', 'Zz./09'],
  ])('matches openssl passwd -6 for %s', (_name, password, salt) => {
    expect(sha512Crypt(password, salt)).toBe(openssl(password, salt));
  });

  it('refuses a salt crypt() would read differently', () => {
    expect(() => sha512Crypt('x', 'with space')).toThrow(/salt/);
    expect(() => sha512Crypt('x', 'x'.repeat(17))).toThrow(/salt/);
  });

  it('derives the same salt from the same seed and another from another (so a values file changes only with the password)', () => {
    expect(derivedSalt('wire-abc')).toBe(derivedSalt('wire-abc'));
    expect(derivedSalt('wire-abc')).not.toBe(derivedSalt('wire-abd'));
    expect(derivedSalt('wire-abc')).toMatch(/^[./0-9A-Za-z]{16}$/);
  });
});
