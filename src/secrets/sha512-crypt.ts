import { createHash } from 'node:crypto';

/**
 * SHA-512 crypt (`$6$salt$hash`), the password hash of glibc's crypt(3), `openssl passwd -6`
 * and `mkpasswd -m sha-512`, which nginx's auth_basic_user_file accepts. nginz's chart wants
 * its basic-auth file as `user:hash` (wire-server-deploy's prod-secrets.example.yaml:
 * `basicAuth: "<username>:<htpasswd-hashed-password>"`).
 *
 * Implemented after Ulrich Drepper's specification "Unix crypt using SHA-256 and SHA-512"
 * (https://www.akkadia.org/drepper/SHA-crypt.txt), with the default 5000 rounds; the unit test
 * compares it with `openssl passwd -6`.
 */
const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ROUNDS = 5000;
const MAX_SALT = 16;

/** The order in which the 64 digest bytes are encoded, three at a time (the specification's table). */
const ENCODE_ORDER: readonly [number, number, number][] = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

const sha512 = (...parts: Buffer[]) => {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** `length` bytes of `block` repeated. */
function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += block.length)
    block.copy(out, offset, 0, Math.min(block.length, length - offset));
  return out;
}

function encode24(b2: number, b1: number, b0: number, characters: number): string {
  let word = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let index = 0; index < characters; index++) {
    out += ALPHABET[word & 0x3f];
    word >>>= 6;
  }
  return out;
}

export function sha512Crypt(password: string, salt: string): string {
  if (!/^[./0-9A-Za-z]{1,16}$/.test(salt))
    throw new Error('sha512Crypt: the salt must be 1 to 16 characters of [./0-9A-Za-z]');
  const key = Buffer.from(password, 'utf8');
  const saltBytes = Buffer.from(salt.slice(0, MAX_SALT), 'utf8');

  const alternate = sha512(key, saltBytes, key);
  const first = createHash('sha512').update(key).update(saltBytes).update(repeatTo(alternate, key.length));
  for (let length = key.length; length > 0; length >>= 1) first.update(length & 1 ? alternate : key);
  const intermediate = first.digest();

  const keySequence = repeatTo(sha512(...Array.from({ length: key.length }, () => key)), key.length);
  const saltSequence = repeatTo(
    sha512(...Array.from({ length: 16 + (intermediate[0] ?? 0) }, () => saltBytes)),
    saltBytes.length,
  );

  let digest = intermediate;
  for (let round = 0; round < ROUNDS; round++) {
    const hash = createHash('sha512');
    hash.update(round & 1 ? keySequence : digest);
    if (round % 3 !== 0) hash.update(saltSequence);
    if (round % 7 !== 0) hash.update(keySequence);
    hash.update(round & 1 ? digest : keySequence);
    digest = hash.digest();
  }

  const byte = (index: number) => digest[index] ?? 0;
  const encoded =
    ENCODE_ORDER.map(([a, b, c]) => encode24(byte(a), byte(b), byte(c), 4)).join('') +
    encode24(0, 0, byte(63), 2);
  return `$6$${salt}$${encoded}`;
}

/**
 * A salt that depends only on `seed` (16 characters of the crypt alphabet): hashing the same
 * password again gives the same line, so a values file changes only when the password does
 * (helm releases are fingerprinted by their files' checksums).
 */
export function derivedSalt(seed: string): string {
  const bytes = createHash('sha256').update(`wire-install crypt salt\0${seed}`).digest();
  return Array.from(bytes.subarray(0, MAX_SALT), (value) => ALPHABET[value & 0x3f]).join('');
}
