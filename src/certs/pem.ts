import { createHash, type KeyObject, X509Certificate } from 'node:crypto';

/** Reading certificates with node:crypto: PEM blocks, SAN names and how they match, dates. */

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

export function normalize(name: string): string {
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

export function describeCert(cert: X509Certificate): string {
  return oneLine(cert.subject) || '(empty subject)';
}

export function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

export function isSelfSigned(cert: X509Certificate): boolean {
  return cert.checkIssued(cert) && safeVerify(cert, cert.publicKey);
}

export function safeVerify(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.verify(key);
  } catch {
    return false;
  }
}

export function publicKeyFingerprint(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

/** PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional PEM with `Proc-Type: 4,ENCRYPTED`. */
export function isEncryptedPem(text: string): boolean {
  return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,\s*ENCRYPTED/.test(text);
}
