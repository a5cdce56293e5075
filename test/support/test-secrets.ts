import type { WireSecrets } from '../../src/secrets/generate.js';

/**
 * A fixed secrets.yaml for golden tests: every value is a readable constant, so the rendered
 * secrets files are deterministic and a reader sees where each one went. Not real keys.
 */
const pem = (name: string) =>
  `-----BEGIN PRIVATE KEY-----\nTEST-MLS-REMOVAL-KEY-${name}\n-----END PRIVATE KEY-----\n`;

export function testSecrets(): WireSecrets {
  return {
    zauth: {
      publicKey: 'TEST-ZAUTH-PUBLIC-KEY-0000000000000000000000=',
      secretKey: 'TEST-ZAUTH-SECRET-KEY-00000000000000000000000000000000000000000000000000000000000000000==',
    },
    turnSecret: 'TEST-TURN-SECRET-64',
    minio: {
      rootUser: 'TEST-MINIO-ROOT-USER',
      rootPassword: 'TEST-MINIO-ROOT-PASSWORD',
      cargoholdAccessKey: 'TEST-CARGOHOLD-ACCESS',
      cargoholdSecretKey: 'TEST-CARGOHOLD-SECRET',
    },
    rabbitmq: {
      username: 'wire-testuser01',
      password: 'TEST-RABBITMQ-PASSWORD',
      erlangCookie: 'TESTERLANGCOOKIE',
    },
    postgresql: { password: 'TEST-POSTGRESQL-PASSWORD' },
    mlsRemovalKeys: {
      ed25519: pem('ED25519'),
      ecdsa_secp256r1_sha256: pem('P256'),
      ecdsa_secp384r1_sha384: pem('P384'),
      ecdsa_secp521r1_sha512: pem('P521'),
    },
    nginzBasicAuth: { username: 'wire-testnginz01', password: 'TEST-NGINZ-BASIC-AUTH-PASSWORD' },
    elasticsearch: { password: 'TEST-ELASTICSEARCH-PASSWORD' },
    monitoring: { username: 'admin', password: 'TEST-MONITORING-PASSWORD' },
    kubernetes: { bootstrapToken: 'abcdef.0123456789abcdef', certificateKey: 'TEST-CERTIFICATE-KEY' },
  };
}

/** A stand-in ingress certificate (self-signed and bring-your-own tests); PEM-shaped text, not a real certificate. */
export const TEST_CERTIFICATE = {
  chain: '-----BEGIN CERTIFICATE-----\nTEST-INGRESS-CERTIFICATE\n-----END CERTIFICATE-----\n',
  key: '-----BEGIN PRIVATE KEY-----\nTEST-INGRESS-KEY\n-----END PRIVATE KEY-----\n',
};
