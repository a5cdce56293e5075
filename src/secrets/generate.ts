import { generateMlsRemovalKeys, type MlsRemovalKeys } from './mls.js';
import { ALPHANUMERIC, DIGITS, LOWER, randomString, UPPER } from './random.js';

const HEX = `${DIGITS}abcdef`;

import { generateZauthKeyPair, type ZauthKeyPair } from './zauth.js';

/**
 * Every secret a Wire installation needs (docs/wire/charts-values-secrets.md#secrets), generated locally with node:crypto.
 * They live in secrets.yaml (mode 0600, src/secrets/file.ts) and never in the inventory,
 * in output, in logs or on a remote command line. docs/secrets.md describes each key.
 */
export interface WireSecrets {
  /** brig signs access tokens with secretKey; brig, nginz (and cannon) verify with publicKey. */
  zauth: ZauthKeyPair;
  /** TURN REST shared secret: brig `turn.secret` = coturn `zrestSecrets[0]` = SFT `secret`. */
  turnSecret: string;
  minio: {
    /** MinIO root keys (`minio_access_key`/`minio_secret_key`); kept when secrets are regenerated. */
    rootUser: string;
    rootPassword: string;
    /** The cargohold IAM user (`minio_cargohold_access_key`/`_secret_key`), cargohold's awsKeyId/awsSecretKey. */
    cargoholdAccessKey: string;
    cargoholdSecretKey: string;
  };
  rabbitmq: { username: string; password: string; erlangCookie: string };
  /** Password of the PostgreSQL user `wire-server` (pgPassword of brig, galley, background-worker). */
  postgresql: { password: string };
  /** galley.secrets.mlsPrivateKeys.removal: four PEM private keys (PKCS#8). */
  mlsRemovalKeys: MlsRemovalKeys;
  /**
   * nginz's basic-auth user (its chart's `basic_auth.txt`, as `user:` SHA-512 crypt hash). Only
   * Wire's staging environment protects endpoints with it, but the chart does not render
   * without one, so it is a real credential instead of Wire's placeholder.
   */
  nginzBasicAuth: { username: string; password: string };
  /**
   * Elasticsearch's `elastic` user: the demo's in-cluster Elasticsearch runs with security on
   * (brig and the index jobs log in); in production it travels only as the index jobs'
   * credentials file (the Elasticsearch on the database hosts does not check it).
   */
  elasticsearch: { password: string };
  /** Basic auth of the monitoring stack (Prometheus/Grafana). */
  monitoring: { username: string; password: string };
  /**
   * kubeadm: the bootstrap token nodes join with ([a-z0-9]{6}.[a-z0-9]{16}) and the key that
   * encrypts the control-plane certificates for the joining control planes (64 hex).
   */
  kubernetes: { bootstrapToken: string; certificateKey: string };
  /** Given by the user, never generated: the sudo password when `ssh.become.password` is true. */
  ssh?: { becomePassword: string };
  /** Given by the user, never generated: the SMTP relay password. */
  smtp?: { password: string };
}

/** How each generated string is made: length and alphabet. Exported for tests and docs. */
export const GENERATED_STRINGS = {
  turnSecret: { length: 64, alphabet: ALPHANUMERIC },
  'minio.rootUser': { length: 20, alphabet: ALPHANUMERIC },
  'minio.rootPassword': { length: 42, alphabet: ALPHANUMERIC },
  'minio.cargoholdAccessKey': { length: 20, alphabet: ALPHANUMERIC },
  'minio.cargoholdSecretKey': { length: 30, alphabet: ALPHANUMERIC },
  'rabbitmq.password': { length: 42, alphabet: ALPHANUMERIC },
  'rabbitmq.erlangCookie': { length: 32, alphabet: UPPER },
  'postgresql.password': { length: 32, alphabet: ALPHANUMERIC },
  'monitoring.password': { length: 16, alphabet: ALPHANUMERIC },
  'nginzBasicAuth.password': { length: 32, alphabet: ALPHANUMERIC },
  'elasticsearch.password': { length: 32, alphabet: ALPHANUMERIC },
  'kubernetes.certificateKey': { length: 64, alphabet: HEX },
} as const;
export type GeneratedStringKey = keyof typeof GENERATED_STRINGS;

export function generateString(key: GeneratedStringKey): string {
  const { length, alphabet } = GENERATED_STRINGS[key];
  return randomString(length, alphabet);
}

/** RabbitMQ user: never `guest` (Wire's default, which the role lets log in remotely, docs/wire/charts-values-secrets.md#secrets). */
export function generateRabbitmqUsername(): string {
  return generateUsername();
}

/** A user name no one guesses: `wire-` and 10 random lower-case letters and digits. */
export function generateUsername(): string {
  return `wire-${randomString(10, `${LOWER}${DIGITS}`)}`;
}

export const MONITORING_USERNAME = 'admin';

/** kubeadm's token format: a public id and a secret, both lower-case letters and digits. */
export const BOOTSTRAP_TOKEN_FORMAT = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

export function generateBootstrapToken(): string {
  return `${randomString(6, `${LOWER}${DIGITS}`)}.${randomString(16, `${LOWER}${DIGITS}`)}`;
}

export function generateSecrets(): WireSecrets {
  return {
    zauth: generateZauthKeyPair(),
    turnSecret: generateString('turnSecret'),
    minio: {
      rootUser: generateString('minio.rootUser'),
      rootPassword: generateString('minio.rootPassword'),
      cargoholdAccessKey: generateString('minio.cargoholdAccessKey'),
      cargoholdSecretKey: generateString('minio.cargoholdSecretKey'),
    },
    rabbitmq: {
      username: generateRabbitmqUsername(),
      password: generateString('rabbitmq.password'),
      erlangCookie: generateString('rabbitmq.erlangCookie'),
    },
    postgresql: { password: generateString('postgresql.password') },
    mlsRemovalKeys: generateMlsRemovalKeys(),
    nginzBasicAuth: { username: generateUsername(), password: generateString('nginzBasicAuth.password') },
    elasticsearch: { password: generateString('elasticsearch.password') },
    monitoring: { username: MONITORING_USERNAME, password: generateString('monitoring.password') },
    kubernetes: {
      bootstrapToken: generateBootstrapToken(),
      certificateKey: generateString('kubernetes.certificateKey'),
    },
  };
}
