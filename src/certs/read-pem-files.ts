import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Finding } from '../core/finding.js';
import { isEncryptedPem, parsePemCertificates } from './pem.js';

/**
 * Reading the two files of a bring-your-own certificate. Anything unreadable becomes a
 * `cert.readable` finding (pushed to `findings`) that says which file, why, and how to fix it.
 */

export async function readChain(
  file: string,
  path: (string | number)[],
  findings: Finding[],
): Promise<X509Certificate[] | undefined> {
  const unreadable = unreadableFinding(path, findings);
  const text = await readText(
    file,
    'the certificate chain file',
    'certificates.certChain',
    '`chmod 644` on the certificate chain',
    unreadable,
  );
  if (text === undefined) return undefined;
  let certs: X509Certificate[];
  try {
    certs = parsePemCertificates(text);
  } catch (error) {
    return unreadable(
      `the certificate chain file ${file} is not valid PEM: ${(error as Error).message}`,
      'unparsable PEM',
      'export the chain again as PEM (`openssl x509 -in cert.der -inform der -out cert.pem` for DER files), leaf first, then the intermediates',
    );
  }
  if (certs.length === 0) {
    const holdsKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);
    return unreadable(
      holdsKey
        ? `the certificate chain file ${file} holds a private key and no certificate`
        : `the certificate chain file ${file} holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)`,
      holdsKey ? 'a private key' : 'no certificate',
      holdsKey
        ? 'certificates.certChain and certificates.key look swapped: certChain is the certificate file, key the private key'
        : 'point certificates.certChain at the PEM chain (leaf certificate first, then intermediates); convert DER with `openssl x509 -inform der -in cert.der -out cert.pem`',
    );
  }
  return certs;
}

export async function readKey(
  file: string,
  path: (string | number)[],
  findings: Finding[],
): Promise<KeyObject | undefined> {
  const unreadable = unreadableFinding(path, findings);
  const text = await readText(
    file,
    'the private key file',
    'certificates.key',
    '`chmod 600` on the key file, readable only by you',
    unreadable,
  );
  if (text === undefined) return undefined;
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    const holdsCert = text.includes('-----BEGIN CERTIFICATE-----');
    return unreadable(
      holdsCert
        ? `the private key file ${file} holds a certificate and no private key`
        : `the private key file ${file} holds no PEM private key (no -----BEGIN ... PRIVATE KEY----- block)`,
      holdsCert ? 'a certificate' : 'no private key',
      holdsCert
        ? 'certificates.key must be the private key of the leaf certificate, not a certificate; certChain and key may be swapped'
        : 'point certificates.key at the PEM private key of the leaf certificate (convert DER with `openssl pkey -inform der -in key.der -out key.pem`)',
    );
  }
  try {
    return createPrivateKey(text);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'parse error';
    if (isEncryptedPem(text) || code === 'ERR_MISSING_PASSPHRASE') {
      return unreadable(
        `the private key in ${file} is encrypted with a passphrase; the ingress needs it unencrypted`,
        'encrypted private key',
        'write an unencrypted copy with `openssl pkey -in <key> -out <new key>` (it asks for the passphrase), keep it mode 0600, and point certificates.key at it',
      );
    }
    return unreadable(
      `the private key file ${file} cannot be parsed: ${code}`,
      'unparsable private key',
      'export the key again as PEM (PKCS#8 `-----BEGIN PRIVATE KEY-----`, or PKCS#1/SEC1): `openssl pkey -in <key> -out <new key>`',
    );
  }
}

type Unreadable = (message: string, measured: string, fix: string) => undefined;

/** Records a `cert.readable` error and returns undefined, so a reader can `return unreadable(...)`. */
function unreadableFinding(path: (string | number)[], findings: Finding[]): Unreadable {
  return (message, measured, fix) => {
    findings.push({ severity: 'error', rule: 'cert.readable', path, message, measured, fix });
    return undefined;
  };
}

async function readText(
  file: string,
  what: string,
  key: string,
  permissionFix: string,
  unreadable: Unreadable,
): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return unreadable(
      `cannot read ${what} ${file}: ${e.code ?? 'error'} (${e.message})`,
      e.code ?? 'unreadable',
      e.code === 'ENOENT'
        ? `check ${key} in the inventory (a relative path is resolved against the inventory file’s directory)`
        : `make it readable by the user running wire-install (${permissionFix})`,
    );
  }
}
