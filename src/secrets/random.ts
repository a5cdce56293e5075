import { randomBytes } from 'node:crypto';

/** Alphabets of the generated strings (ASCII only, so every value is safe in YAML, env and URLs). */
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
export const ALPHANUMERIC = `${UPPER}${LOWER}${DIGITS}`;

/**
 * A random string of `length` characters drawn uniformly from `alphabet`.
 *
 * Rejection sampling over randomBytes: a byte is used only when it falls below the largest
 * multiple of the alphabet size that fits in 256, so `byte % size` has no modulo bias
 * (with 62 characters, bytes 248..255 are thrown away).
 */
export function randomString(length: number, alphabet: string): string {
  const size = alphabet.length;
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`invalid length ${length}`);
  if (size < 2 || size > 256) throw new RangeError(`alphabet must have 2 to 256 characters, has ${size}`);
  if (new Set(alphabet).size !== size) throw new RangeError('alphabet has repeated characters');
  const limit = 256 - (256 % size);
  let out = '';
  while (out.length < length) {
    // Ask for a little more than needed so one call usually suffices.
    const bytes = randomBytes(Math.ceil((length - out.length) * 1.25) + 8);
    for (const byte of bytes) {
      if (byte >= limit) continue;
      out += alphabet[byte % size];
      if (out.length === length) break;
    }
  }
  return out;
}
