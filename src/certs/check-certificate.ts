import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import type { Finding } from '../core/finding.js';
import {
  describeCert,
  dnsNameMatches,
  formatCertDate,
  isSelfSigned,
  normalize,
  oneLine,
  publicKeyFingerprint,
  safeVerify,
  sanDnsNames,
} from './pem.js';
import { readChain, readKey } from './read-pem-files.js';

/**
 * Checks of a bring-your-own certificate (docs/wire/dns-and-certificates.md#certificates): the chain file (PEM, leaf first, then
 * intermediates) and the leaf's private key, as they will go into nginx-ingress-services
 * `secrets.tlsWildcardCert` / `secrets.tlsWildcardKey`. Everything is measured with
 * node:crypto; no openssl binary, no network.
 *
 * Rule ids: cert.readable, cert.key-match, cert.expired, cert.expiring, cert.not-yet-valid,
 * cert.san, cert.chain.
 */

export interface CertificateCheckInput {
  certChainPath: string;
  keyPath: string;
  /** Names the certificate must cover, e.g. nginz-https.example.com (requiredDnsNames). */
  requiredNames: string[];
  /** The time to check validity at (default: now). */
  now?: Date;
  /** Inventory path of the certificates block (default ['certificates']); 'certChain' or 'key' is appended. */
  path?: (string | number)[];
}

/** Warn when the leaf expires within this many days. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

export async function checkCertificateFiles(input: CertificateCheckInput): Promise<Finding[]> {
  const base = input.path ?? ['certificates'];
  const chainPath = [...base, 'certChain'];
  const keyPath = [...base, 'key'];
  const now = input.now ?? new Date();
  const findings: Finding[] = [];

  const chain = await readChain(input.certChainPath, chainPath, findings);
  const key = await readKey(input.keyPath, keyPath, findings);
  if (!chain) return findings;
  const leaf = chain[0];
  if (!leaf) return findings;

  if (key) findings.push(...checkKeyMatch(leaf, key, input, keyPath));
  chain.forEach((cert, index) => {
    findings.push(...checkValidity(cert, index, now, input.certChainPath, chainPath));
  });
  findings.push(...checkSan(leaf, input.requiredNames, input.certChainPath, chainPath));
  findings.push(...checkChain(chain, input.certChainPath, chainPath));
  return findings;
}

function checkKeyMatch(
  leaf: X509Certificate,
  key: KeyObject,
  input: CertificateCheckInput,
  path: (string | number)[],
): Finding[] {
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(key);
  } catch {
    matches = false;
  }
  if (matches) return [];
  const keyPublic = publicKeyFingerprint(createPublicKey(key));
  const leafPublic = publicKeyFingerprint(leaf.publicKey);
  return [
    {
      severity: 'error',
      rule: 'cert.key-match',
      path,
      message: `the private key ${input.keyPath} does not belong to the leaf certificate (${describeCert(leaf)}) of ${input.certChainPath}: the key's public key is ${key.asymmetricKeyType} ${keyPublic}, the certificate's is ${leaf.publicKey.asymmetricKeyType} ${leafPublic}`,
      measured: `key ${keyPublic}, certificate ${leafPublic}`,
      required: 'the key the leaf certificate was issued for',
      fix: 'use the key from the CSR of this certificate (compare `openssl x509 -noout -pubkey -in <chain>` with `openssl pkey -pubout -in <key>`), or make sure the chain file starts with the leaf certificate, not an intermediate',
    },
  ];
}

function checkValidity(
  cert: X509Certificate,
  index: number,
  now: Date,
  file: string,
  path: (string | number)[],
): Finding[] {
  const which =
    index === 0
      ? `the certificate ${describeCert(cert)} in ${file}`
      : `certificate ${index + 1} of ${file} (intermediate ${describeCert(cert)})`;
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const renew =
    index === 0
      ? `renew the certificate with your CA and replace ${file} (leaf first, then intermediates)`
      : `get the current intermediate certificate from your CA and replace it in ${file}`;
  if (now.getTime() > notAfter.getTime()) {
    return [
      {
        severity: 'error',
        rule: 'cert.expired',
        path,
        message: `${which} expired on ${formatCertDate(notAfter)}`,
        measured: `notAfter ${formatCertDate(notAfter)}`,
        required: `valid on ${formatCertDate(now)}`,
        fix: renew,
      },
    ];
  }
  if (now.getTime() < notBefore.getTime()) {
    return [
      {
        severity: 'error',
        rule: 'cert.not-yet-valid',
        path,
        message: `${which} is not valid before ${formatCertDate(notBefore)} (now: ${formatCertDate(now)})`,
        measured: `notBefore ${formatCertDate(notBefore)}`,
        required: `valid on ${formatCertDate(now)}`,
        fix: 'check the clock of this machine (`timedatectl`); otherwise wait until that date or use a certificate that is valid now',
      },
    ];
  }
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft < EXPIRY_WARNING_DAYS) {
    return [
      {
        severity: 'warning',
        rule: 'cert.expiring',
        path,
        message: `${which} expires in ${daysLeft} ${daysLeft === 1 ? 'day' : 'days'}, on ${formatCertDate(notAfter)}`,
        measured: `${daysLeft} days left (notAfter ${formatCertDate(notAfter)})`,
        required: `at least ${EXPIRY_WARNING_DAYS} days left`,
        fix: `${renew} before ${formatCertDate(notAfter)}; or switch certificates.mode to cert-manager for automatic renewal`,
      },
    ];
  }
  return [];
}

function checkSan(
  leaf: X509Certificate,
  requiredNames: readonly string[],
  file: string,
  path: (string | number)[],
): Finding[] {
  const sans = sanDnsNames(leaf);
  const uncovered = requiredNames.filter((name) => !sans.some((pattern) => dnsNameMatches(pattern, name)));
  if (uncovered.length === 0) return [];
  const has = sans.length > 0 ? sans.join(', ') : 'none';
  const cnNote =
    sans.length === 0
      ? ` (the subject ${describeCert(leaf)} does not count: clients only check the subjectAltName extension)`
      : '';
  const domain = commonParent(uncovered);
  return [
    {
      severity: 'error',
      rule: 'cert.san',
      path,
      message: `the certificate ${describeCert(leaf)} in ${file} does not cover ${uncovered.join(', ')}; its DNS names are: ${has}${cnNote}`,
      measured: `SAN DNS: ${has}`,
      required: `covers ${requiredNames.join(', ')}`,
      fix: `get a certificate whose subjectAltName lists ${uncovered.join(', ')}${domain ? ` or the wildcard *.${domain}` : ''} (a wildcard covers exactly one label)`,
    },
  ];
}

/** The parent domain all names share directly (`a.example.com`, `b.example.com` -> example.com). */
function commonParent(names: readonly string[]): string | undefined {
  const parents = new Set(names.map((name) => normalize(name).split('.').slice(1).join('.')));
  const [only] = parents;
  return parents.size === 1 && only?.includes('.') ? only : undefined;
}

function checkChain(chain: readonly X509Certificate[], file: string, path: (string | number)[]): Finding[] {
  const leaf = chain[0];
  if (!leaf) return [];
  if (chain.length === 1) {
    if (isSelfSigned(leaf)) return [];
    return [
      {
        severity: 'warning',
        rule: 'cert.chain',
        path,
        message: `${file} holds only the leaf certificate (${describeCert(leaf)}, issued by ${oneLine(leaf.issuer)}); Wire wants the full chain (leaf plus intermediates), or clients that lack the intermediate reject the connection`,
        measured: '1 certificate',
        required: 'leaf followed by its intermediate certificates',
        fix: `append the intermediate certificate(s) from your CA after the leaf: \`cat leaf.pem intermediate.pem > ${file}\` (if your CA issues directly from its root, nothing is missing)`,
      },
    ];
  }
  const findings: Finding[] = [];
  for (let i = 0; i + 1 < chain.length; i += 1) {
    const cert = chain[i] as X509Certificate;
    const next = chain[i + 1] as X509Certificate;
    const issuedBy = cert.checkIssued(next) && safeVerify(cert, next.publicKey);
    if (issuedBy) continue;
    const nameMatches = oneLine(cert.issuer) === oneLine(next.subject);
    findings.push({
      severity: 'error',
      rule: 'cert.chain',
      path,
      message: `the certificates in ${file} do not chain: certificate ${i + 1} (${describeCert(cert)}) is issued by ${oneLine(cert.issuer)}, but certificate ${i + 2} is ${describeCert(next)}${nameMatches ? ' (the names match, the signature does not)' : ''}`,
      measured: `certificate ${i + 2}: ${describeCert(next)}`,
      required: `certificate ${i + 2} is the issuer of certificate ${i + 1}: ${oneLine(cert.issuer)}`,
      fix: `put the certificates in order, leaf first and each followed by the certificate that issued it, and remove any that do not belong (\`openssl crl2pkcs7 -nocrl -certfile ${file} | openssl pkcs7 -print_certs -noout\` lists subject and issuer of each)`,
    });
  }
  return findings;
}
