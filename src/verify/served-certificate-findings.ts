import type { X509Certificate } from 'node:crypto';
import { coversName, describeCert, formatCertDate } from '../certs/pem.js';
import type { Finding } from '../core/finding.js';
import type { Inventory } from '../inventory/defaults.js';

/**
 * What is wrong with the certificate the ingress serves for a Wire name (docs/wire/dns-and-certificates.md#certificates, docs/wire/health-and-ports.md#health-checks):
 * ingress-nginx's own "Kubernetes Ingress Controller Fake Certificate", which it serves when
 * the TLS secret is missing or unreadable (a badly indented tlsWildcardCert, or cert-manager
 * not done); for bring-your-own, a certificate other than the configured one; expired; or not
 * covering the name. Pure.
 */
export const FAKE_CERTIFICATE_CN = 'Kubernetes Ingress Controller Fake Certificate';

export function isIngressFakeCertificate(cert: X509Certificate): boolean {
  return cert.subject.includes(FAKE_CERTIFICATE_CN) || cert.issuer.includes(FAKE_CERTIFICATE_CN);
}

function secretFix(inventory: Inventory): string {
  switch (inventory.certificates.mode) {
    case 'bring-your-own':
      return 'check the TLS secret of nginx-ingress-services (secrets.tlsWildcardCert / tlsWildcardKey from certificates.certChain and key): kubectl get secret; kubectl -n default describe ingress';
    case 'cert-manager':
      return "the Certificate is not issued yet: kubectl get certificate; kubectl -n cert-manager-ns logs deploy/cert-manager (Let's Encrypt must reach port 80)";
    case 'self-signed':
      return 'check the TLS secret of nginx-ingress-services: kubectl get secret; kubectl -n default describe ingress';
  }
}

export function servedCertificateFindings(
  inventory: Inventory,
  name: string,
  served: X509Certificate,
  configured: X509Certificate | undefined,
  now: Date = new Date(),
): Finding[] {
  const measured = `${describeCert(served)} (SHA-256 ${served.fingerprint256})`;
  if (isIngressFakeCertificate(served))
    return [
      {
        severity: 'error',
        rule: 'verify.certificate-fake',
        message: `the ingress serves its fake default certificate for ${name}, not Wire's`,
        measured,
        required: configured ? describeCert(configured) : `a certificate for ${name}`,
        fix: secretFix(inventory),
      },
    ];
  const findings: Finding[] = [];
  if (configured && configured.fingerprint256 !== served.fingerprint256)
    findings.push({
      severity: 'error',
      rule: 'verify.certificate-mismatch',
      message: `the ingress serves another certificate for ${name} than the one configured`,
      measured,
      required: `${describeCert(configured)} (SHA-256 ${configured.fingerprint256})`,
      fix: `${secretFix(inventory)}; then apply again with workloads.nginx-ingress-services`,
    });
  if (new Date(served.validTo).getTime() < now.getTime())
    findings.push({
      severity: 'error',
      rule: 'verify.certificate-expired',
      message: `the certificate served for ${name} expired on ${formatCertDate(new Date(served.validTo))}`,
      measured,
      required: 'a certificate valid now',
      fix:
        inventory.certificates.mode === 'cert-manager'
          ? 'renewal failed: kubectl describe certificate; cert-manager needs outbound ACME access'
          : 'renew the certificate, update certificates.certChain and key, and apply again',
    });
  if (!coversName(served, name))
    findings.push({
      severity: 'error',
      rule: 'verify.certificate-name',
      message: `the certificate served for ${name} does not cover that name`,
      measured: `${measured}; SAN ${served.subjectAltName ?? 'none'}`,
      required: `a SAN matching ${name} (*.${inventory.domain} or the name itself)`,
      fix: 'issue a certificate that covers every Wire name',
    });
  return findings;
}

interface CertificateList {
  items?: {
    metadata?: { name?: string; namespace?: string };
    status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
  }[];
}

/** cert-manager's Certificates READY=True (docs/wire/health-and-ports.md#health-checks); none at all is an error too. */
export function certificateResourceFindings(list: CertificateList): Finding[] {
  const items = list.items ?? [];
  if (items.length === 0)
    return [
      {
        severity: 'error',
        rule: 'verify.certificate-resource',
        message: 'no cert-manager Certificate exists',
        required: 'the Certificate of nginx-ingress-services (tls.useCertManager: true)',
        fix: 'apply with workloads.cert-manager and workloads.nginx-ingress-services; kubectl get certificate -A',
      },
    ];
  return items.flatMap((item) => {
    const ready = item.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status === 'True') return [];
    const name = `${item.metadata?.namespace ?? 'default'}/${item.metadata?.name ?? '?'}`;
    return [
      {
        severity: 'error' as const,
        rule: 'verify.certificate-resource',
        message: `cert-manager Certificate ${name} is not Ready`,
        measured: ready
          ? `${ready.reason ?? ready.status}: ${ready.message ?? ''}`.trim()
          : 'no Ready condition yet',
        required: 'READY=True',
        fix: `kubectl describe certificate ${item.metadata?.name ?? ''}; kubectl -n cert-manager-ns logs deploy/cert-manager; HTTP-01 needs port 80 reachable and hairpin NAT`,
      },
    ];
  });
}
