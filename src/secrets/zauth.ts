import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

/**
 * zauth keys in the format of Wire's own tool (`zauth -m gen-keypair`, docs/wire/charts-values-secrets.md#secrets):
 *
 * - Ed25519 (libsodium crypto_sign). The secret key is 64 bytes: the 32-byte seed followed by
 *   the 32-byte public key. The public key is 32 bytes.
 * - Text form: URL-safe base64 WITH `=` padding. Wire's `Sodium.Crypto.Sign` shows keys with
 *   `Data.ByteString.Base64.URL.encode`, which pads; the WIAB demo does the same with
 *   `base64 | tr '+/' '-_'`. So a public key is 44 characters ending in `=`, a secret key 88
 *   characters ending in `==`.
 *
 * brig signs tokens with the secret key (`brig.secrets.zAuth.privateKeys`); nginz and brig
 * verify them with the public key (`*.zAuth.publicKeys`, which must be the same everywhere).
 */

export interface ZauthKeyPair {
  /** 32 bytes, URL-safe base64 with padding (44 characters). */
  publicKey: string;
  /** 64 bytes (seed ‖ public key), URL-safe base64 with padding (88 characters). */
  secretKey: string;
}

export const ZAUTH_PUBLIC_KEY_BYTES = 32;
export const ZAUTH_SECRET_KEY_BYTES = 64;

/** Standard base64 with `+/` replaced by `-_`; the `=` padding is kept. */
export function encodeZauth(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Decodes a zauth key or signature; undefined unless the text is canonical padded URL-safe
 * base64 of exactly `bytes` bytes. (Never put the text itself in an error message.)
 */
export function decodeZauth(text: string, bytes: number): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text) || text.length !== 4 * Math.ceil(bytes / 3)) return undefined;
  const decoded = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (decoded.length !== bytes || encodeZauth(decoded) !== text) return undefined;
  return decoded;
}

function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** PKCS#8 DER of an Ed25519 private key is this fixed 16-byte prefix followed by the 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** The Ed25519 public key that belongs to a 32-byte seed. */
function publicFromSeed(seed: Uint8Array): Buffer {
  return rawPublicKey(createPublicKey(privateKeyFromSeed(seed)));
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function generateZauthKeyPair(): ZauthKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string') throw new Error('Ed25519 key without a seed');
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = rawPublicKey(publicKey);
  return { publicKey: encodeZauth(pub), secretKey: encodeZauth(Buffer.concat([seed, pub])) };
}

export interface ZauthProblem {
  key: keyof ZauthKeyPair;
  message: string;
}

/** Why a (possibly partial) zauth key pair is unusable, or undefined. Never includes key material. */
export function zauthKeyPairProblem(pair: Partial<ZauthKeyPair>): ZauthProblem | undefined {
  if (pair.secretKey !== undefined) {
    const secret = decodeZauth(pair.secretKey, ZAUTH_SECRET_KEY_BYTES);
    if (!secret)
      return {
        key: 'secretKey',
        message:
          'must be 64 bytes in URL-safe base64 with padding (88 characters, as `zauth -m gen-keypair` prints)',
      };
    if (!publicFromSeed(secret.subarray(0, 32)).equals(secret.subarray(32)))
      return {
        key: 'secretKey',
        message: 'is inconsistent: its last 32 bytes are not the public key of its first 32 (the seed)',
      };
  }
  if (pair.publicKey !== undefined && !decodeZauth(pair.publicKey, ZAUTH_PUBLIC_KEY_BYTES))
    return {
      key: 'publicKey',
      message:
        'must be 32 bytes in URL-safe base64 with padding (44 characters, as `zauth -m gen-keypair` prints)',
    };
  if (pair.publicKey !== undefined && pair.secretKey !== undefined) {
    if (zauthPublicKeyOf(pair.secretKey) !== pair.publicKey)
      return {
        key: 'publicKey',
        message: 'does not belong to zauth.secretKey (brig would sign tokens nginz cannot verify)',
      };
  }
  return undefined;
}

/** The public key held in the last 32 bytes of a zauth secret key. */
export function zauthPublicKeyOf(secretKey: string): string {
  const secret = decodeZauth(secretKey, ZAUTH_SECRET_KEY_BYTES);
  if (!secret) throw new Error('not a zauth secret key (64 bytes, URL-safe base64 with padding)');
  return encodeZauth(secret.subarray(32));
}

/** Signs `message` with a zauth secret key; the signature is 64 bytes in the same text form. */
export function zauthSign(secretKey: string, message: string | Uint8Array): string {
  const secret = decodeZauth(secretKey, ZAUTH_SECRET_KEY_BYTES);
  if (!secret) throw new Error('not a zauth secret key (64 bytes, URL-safe base64 with padding)');
  return encodeZauth(sign(null, Buffer.from(message), privateKeyFromSeed(secret.subarray(0, 32))));
}

/** Verifies a signature made by zauthSign (or by Wire's zauth) with a zauth public key. */
export function zauthVerify(publicKey: string, message: string | Uint8Array, signature: string): boolean {
  const pub = decodeZauth(publicKey, ZAUTH_PUBLIC_KEY_BYTES);
  const sig = decodeZauth(signature, 64);
  if (!pub || !sig) return false;
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(pub) }, format: 'jwk' });
  return verify(null, Buffer.from(message), key, sig);
}
