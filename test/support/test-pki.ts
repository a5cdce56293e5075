import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Real certificates for tests, made with the openssl CLI (production code reads them with
 * node:crypto only): a root CA, an intermediate, and leaves signed by the intermediate.
 */

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, name: string): string {
  const file = `${name}.key`;
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], dir);
  return file;
}

export interface LeafOptions {
  /** DNS SANs. */
  names: string[];
  /** Days of validity; negative makes an already expired certificate. */
  days?: number;
}

export interface TestPki {
  dir: string;
  /** Issues a leaf signed by the intermediate; returns the full-chain file and its key file (absolute). */
  leaf(name: string, options: LeafOptions): { chain: string; key: string; leafOnly: string };
  /** A key that belongs to no certificate. */
  strayKey(): string;
}

export function createTestPki(dir: string): TestPki {
  newKey(dir, 'root');
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'root.key',
      '-subj',
      '/CN=wire-install test root',
      '-days',
      '3650',
      '-out',
      'root.pem',
    ],
    dir,
  );
  newKey(dir, 'intermediate');
  openssl(
    [
      'req',
      '-new',
      '-key',
      'intermediate.key',
      '-subj',
      '/CN=wire-install test intermediate',
      '-out',
      'intermediate.csr',
    ],
    dir,
  );
  writeFileSync(
    join(dir, 'ca.ext'),
    'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n',
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'intermediate.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-days',
      '3650',
      '-extfile',
      'ca.ext',
      '-out',
      'intermediate.pem',
    ],
    dir,
  );

  return {
    dir,
    leaf(name, options) {
      const key = newKey(dir, name);
      openssl(
        ['req', '-new', '-key', key, '-subj', `/CN=${options.names[0] ?? name}`, '-out', `${name}.csr`],
        dir,
      );
      writeFileSync(
        join(dir, `${name}.ext`),
        `subjectAltName=${options.names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          'intermediate.pem',
          '-CAkey',
          'intermediate.key',
          '-CAcreateserial',
          '-days',
          String(options.days ?? 90),
          '-extfile',
          `${name}.ext`,
          '-out',
          `${name}.pem`,
        ],
        dir,
      );
      const chain = [`${name}.pem`, 'intermediate.pem'].map((file) => readFileSync(join(dir, file), 'utf8'));
      writeFileSync(join(dir, `${name}.chain.pem`), chain.join(''));
      return {
        chain: join(dir, `${name}.chain.pem`),
        key: join(dir, key),
        leafOnly: join(dir, `${name}.pem`),
      };
    },
    strayKey() {
      return join(dir, newKey(dir, `stray-${Date.now()}`));
    },
  };
}

/** The names Wire needs for a domain (docs/wire/dns-and-certificates.md#required-dns-names), as a certificate must cover them. */
export function wireNames(domain: string): string[] {
  return ['nginz-https', 'nginz-ssl', 'webapp', 'assets', 'account', 'teams'].map(
    (label) => `${label}.${domain}`,
  );
}
