import { readFile } from 'node:fs/promises';
import type { Finding } from '../core/finding.js';
import { parsePemCertificates } from './pem.js';

/**
 * With federation on, the federation ingress checks the client certificates of other backends
 * against the CA certificates in wire.federation.clientCA (nginx-ingress-services
 * `secrets.tlsClientCA`; docs/wire/dns-and-certificates.md#federation-certificates). Without
 * them the chart does not render; with an unreadable file every federated request is refused.
 */
const PATH = ['wire', 'federation', 'clientCA'];

export async function checkFederationCA(file: string | undefined): Promise<Finding[]> {
  const finding = (message: string, measured: string, fix: string): Finding[] => [
    {
      severity: 'error',
      rule: 'federation.client-ca',
      path: PATH,
      message,
      measured,
      required: 'a PEM file with CA certificates',
      fix,
    },
  ];
  if (file === undefined)
    return finding(
      'federation is on, but wire.federation.clientCA names no CA certificates to check the other backends with',
      'not set',
      'set wire.federation.clientCA to a PEM file holding the root CA certificates that sign the federation client certificates of the backends this one federates with',
    );
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return finding(
      `the federation client CA file ${file} cannot be read (${code})`,
      code,
      code === 'ENOENT'
        ? 'check the path (relative paths are relative to the inventory)'
        : `check the file's permissions and that it is a file (${file})`,
    );
  }
  try {
    if (parsePemCertificates(text).length > 0) return [];
  } catch (error) {
    return finding(
      `the federation client CA file ${file} is not valid PEM: ${(error as Error).message}`,
      'unparsable PEM',
      'export the CA certificates again as PEM',
    );
  }
  return finding(
    `the federation client CA file ${file} holds no certificate (no -----BEGIN CERTIFICATE----- block)`,
    'no certificate',
    'put the CA certificates (PEM) of the backends this one federates with in that file',
  );
}
