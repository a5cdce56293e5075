import { createHash, createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Finding } from '../rules/finding.js';

/**
 * Checks of a bring-your-own certificate (FACTS 4.2): the chain file (PEM, leaf first, then
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
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

/** Every `-----BEGIN CERTIFICATE-----` block of `text`, in file order. Throws when a block is not a certificate. */
export function parsePemCertificates(text: string): X509Certificate[] {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new Error(
        `PEM block ${index + 1} is not a valid certificate (${(error as { code?: string }).code ?? 'parse error'})`,
      );
    }
  });
}

/** The DNS names of the subjectAltName extension (empty when there is none). */
export function sanDnsNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (!san) return [];
  const names: string[] = [];
  // Node prints `DNS:a.example.com, DNS:*.example.com, IP Address:1.2.3.4`; entries with
  // unusual characters are JSON-quoted: `DNS:"a,b"`.
  const entry = /(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (const match of san.matchAll(entry)) {
    const raw = match[1] ?? '';
    try {
      names.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
    } catch {
      names.push(raw);
    }
  }
  return names;
}

function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Does SAN DNS pattern `pattern` match host `name`? `*.<domain>` matches exactly one label. */
export function dnsNameMatches(pattern: string, name: string): boolean {
  const p = normalize(pattern);
  const n = normalize(name);
  if (p === '' || n === '') return false;
  if (!p.includes('*')) return p === n;
  // Only a full leftmost label may be a wildcard (no `w*.example.com`, no `*.*.example.com`),
  // and not directly under a top-level domain.
  if (!p.startsWith('*.')) return false;
  const base = p.slice(2);
  if (base.includes('*') || !base.includes('.')) return false;
  const dot = n.indexOf('.');
  if (dot <= 0) return false;
  return n.slice(dot + 1) === base;
}

/**
 * Whether the certificate is valid for `name`: some SAN DNS entry matches. The subject CN is
 * never used: browsers (the webapp, the Electron desktop client) ignore it, so a certificate
 * without SANs covers no name.
 */
export function coversName(cert: X509Certificate, name: string): boolean {
  return sanDnsNames(cert).some((pattern) => dnsNameMatches(pattern, name));
}

export function formatCertDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function describeCert(cert: X509Certificate): string {
  return oneLine(cert.subject) || '(empty subject)';
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

function isSelfSigned(cert: X509Certificate): boolean {
  return cert.checkIssued(cert) && safeVerify(cert, cert.publicKey);
}

function safeVerify(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.verify(key);
  } catch {
    return false;
  }
}

function publicKeyFingerprint(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

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

async function readChain(
  file: string,
  path: (string | number)[],
  findings: Finding[],
): Promise<X509Certificate[] | undefined> {
  const unreadable = (message: string, measured: string, fix: string): undefined => {
    findings.push({ severity: 'error', rule: 'cert.readable', path, message, measured, fix });
    return undefined;
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return unreadable(
      `cannot read the certificate chain file ${file}: ${e.code ?? 'error'} (${e.message})`,
      e.code ?? 'unreadable',
      e.code === 'ENOENT'
        ? 'check certificates.certChain in the inventory (a relative path is resolved against the inventory file’s directory)'
        : 'make the file readable by the user running wire-install (e.g. `chmod 644` on the certificate chain)',
    );
  }
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

/** PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional PEM with `Proc-Type: 4,ENCRYPTED`. */
export function isEncryptedPem(text: string): boolean {
  return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,\s*ENCRYPTED/.test(text);
}

async function readKey(
  file: string,
  path: (string | number)[],
  findings: Finding[],
): Promise<KeyObject | undefined> {
  const unreadable = (message: string, measured: string, fix: string): undefined => {
    findings.push({ severity: 'error', rule: 'cert.readable', path, message, measured, fix });
    return undefined;
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return unreadable(
      `cannot read the private key file ${file}: ${e.code ?? 'error'} (${e.message})`,
      e.code ?? 'unreadable',
      e.code === 'ENOENT'
        ? 'check certificates.key in the inventory (a relative path is resolved against the inventory file’s directory)'
        : 'make the key readable by the user running wire-install, and only by it (`chmod 600` on the key file)',
    );
  }
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
