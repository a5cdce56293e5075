import { resolve } from 'node:path';
import type { Finding } from '../core/finding.js';
import type { Inventory } from '../inventory/defaults.js';
import { requiredDnsNames } from './dns-names.js';
import { checkInventoryStatic } from './static-rules.js';

export interface CheckOptions {
  /** Directory that relative paths in the inventory (certificate files) resolve against. */
  baseDir: string;
  /** The time certificates are checked against (tests move it). */
  now?: Date;
}

/**
 * Every rule that can be checked from the inventory alone (no host contacted): role counts,
 * declared hardware, addresses, calling, DNS names, the bring-your-own certificate files and,
 * with federation, the CA file other backends' client certificates are checked against.
 * Errors come before warnings.
 */
export async function checkInventory(inventory: Inventory, options: CheckOptions): Promise<Finding[]> {
  const findings = checkInventoryStatic(inventory);
  const certificates = inventory.certificates;
  if (certificates.mode === 'bring-your-own') {
    // Loaded only when needed: the certificate checks pull in node:crypto's X509 parsing.
    const { checkCertificateFiles } = await import('../certs/check-certificate.js');
    findings.push(
      ...(await checkCertificateFiles({
        certChainPath: resolve(options.baseDir, certificates.certChain),
        keyPath: resolve(options.baseDir, certificates.key),
        requiredNames: requiredDnsNames(inventory)
          .filter((entry) => entry.certificate === 'ingress')
          .map((entry) => entry.name),
        ...(options.now ? { now: options.now } : {}),
        path: ['certificates'],
      })),
    );
  }
  const { federation } = inventory.wire;
  if (federation.enabled) {
    const { checkFederationCA } = await import('../certs/check-federation-ca.js');
    findings.push(
      ...(await checkFederationCA(
        federation.clientCA === undefined ? undefined : resolve(options.baseDir, federation.clientCA),
      )),
    );
  }
  return [
    ...findings.filter((f) => f.severity === 'error'),
    ...findings.filter((f) => f.severity !== 'error'),
  ];
}
