import { createPrivateKey, generateKeyPairSync } from 'node:crypto';

/**
 * galley's MLS removal keys (`galley.secrets.mlsPrivateKeys.removal.*`, docs/wire/charts-values-secrets.md#secrets): one PEM
 * private key (PKCS#8, `-----BEGIN PRIVATE KEY-----`) per MLS ciphersuite signature scheme,
 * the same keys `openssl genpkey -algorithm ed25519` / `-algorithm ec -pkeyopt
 * ec_paramgen_curve:P-256|P-384|P-521` makes. Wire needs all four since 5.25, even with MLS off.
 */

export const MLS_REMOVAL_KEY_NAMES = [
  'ed25519',
  'ecdsa_secp256r1_sha256',
  'ecdsa_secp384r1_sha384',
  'ecdsa_secp521r1_sha512',
] as const;
export type MlsRemovalKeyName = (typeof MLS_REMOVAL_KEY_NAMES)[number];
export type MlsRemovalKeys = Record<MlsRemovalKeyName, string>;

/** What each key must be, as node:crypto reports it (asymmetricKeyType, asymmetricKeyDetails.namedCurve). */
export const MLS_KEY_SPECS: Record<
  MlsRemovalKeyName,
  { type: 'ed25519' | 'ec'; curve?: string; label: string }
> = {
  ed25519: { type: 'ed25519', label: 'an Ed25519 key' },
  ecdsa_secp256r1_sha256: { type: 'ec', curve: 'prime256v1', label: 'an EC key on P-256 (prime256v1)' },
  ecdsa_secp384r1_sha384: { type: 'ec', curve: 'secp384r1', label: 'an EC key on P-384 (secp384r1)' },
  ecdsa_secp521r1_sha512: { type: 'ec', curve: 'secp521r1', label: 'an EC key on P-521 (secp521r1)' },
};

const NODE_CURVE: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export function generateMlsRemovalKey(name: MlsRemovalKeyName): string {
  const spec = MLS_KEY_SPECS[name];
  const { privateKey } =
    spec.type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: NODE_CURVE[spec.curve ?? ''] ?? '' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function generateMlsRemovalKeys(): MlsRemovalKeys {
  return {
    ed25519: generateMlsRemovalKey('ed25519'),
    ecdsa_secp256r1_sha256: generateMlsRemovalKey('ecdsa_secp256r1_sha256'),
    ecdsa_secp384r1_sha384: generateMlsRemovalKey('ecdsa_secp384r1_sha384'),
    ecdsa_secp521r1_sha512: generateMlsRemovalKey('ecdsa_secp521r1_sha512'),
  };
}

/** Why `pem` cannot serve as removal key `name`, or undefined. Never includes key material. */
export function mlsKeyProblem(name: MlsRemovalKeyName, pem: string): string | undefined {
  const spec = MLS_KEY_SPECS[name];
  if (!pem.includes('-----BEGIN') || !pem.includes('PRIVATE KEY-----'))
    return `must be a PEM private key (-----BEGIN PRIVATE KEY-----), ${spec.label}`;
  let type: string | undefined;
  let curve: string | undefined;
  try {
    const key = createPrivateKey(pem);
    type = key.asymmetricKeyType;
    curve = key.asymmetricKeyDetails?.namedCurve;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') ||
      /Proc-Type:\s*4,\s*ENCRYPTED/.test(pem) ||
      code === 'ERR_MISSING_PASSPHRASE'
    )
      return 'is encrypted with a passphrase; galley needs an unencrypted key';
    return `is not a readable PEM private key (${code ?? 'parse error'})`;
  }
  if (type !== spec.type || (spec.curve !== undefined && curve !== spec.curve)) {
    return `must be ${spec.label}, found ${type ?? 'an unknown key type'}${curve ? ` on ${curve}` : ''}`;
  }
  return undefined;
}
