import type { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { EXPIRY_WARNING_DAYS } from '../../certs/check-certificate.js';
import { formatCertDate, oneLine, parsePemCertificates, sanDnsNames } from '../../certs/pem.js';
import type { Finding } from '../../core/finding.js';
import type { Inventory } from '../../inventory/defaults.js';
import { type DnsName, requiredDnsNames } from '../../rules/dns-names.js';
import {
  describeEndpoint,
  INGRESS_OVERRIDE_ENV,
  type IngressEndpoint,
  ingressEndpoint,
} from '../../verify/ingress-endpoint.js';
import { servedCertificateFindings } from '../../verify/served-certificate-findings.js';
import { readTlsSession } from '../../verify/tls-probe.js';
import { type ChainTrust, chainTrustFindings, chainTrustOf } from '../../verify/tls-trust.js';
import { certificatePaths, selfSignedPaths } from '../../workloads/values/certificate-files.js';
import { errorResult, fail, fromFindings, pass, warn } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';

/**
 * certs.served: live, the certificate the ingress serves for each Wire name, asked with the
 * name as TLS SNI as `openssl s_client -servername` does (docs/wire/health-and-ports.md#health-checks), one TLS session per name
 * at the ingress endpoint verify uses (src/verify/ingress-endpoint.ts). Judged by verify's code:
 * not ingress-nginx's fake default certificate (a badly indented tlsWildcardCert, or cert-manager
 * not done, docs/wire/dns-and-certificates.md#certificates), the configured one for bring-your-own, not expired, covering the name,
 * and a chain a client trusts; and here also a warning 30 days before it expires.
 */
const CHECK = 'certs.served';
/** Shorter than verify's: doctor asks up to eight names and should answer quickly. */
const TLS_TIMEOUT_MS = 5000;
const DAY_MS = 24 * 3600 * 1000;
const INGRESS_STEP = 'workloads.nginx-ingress-services';

interface Session {
  certificate: X509Certificate;
  trust: ChainTrust;
}

function readSession(endpoint: IngressEndpoint, name: string, ca: string | undefined): Promise<Session> {
  return readTlsSession(
    endpoint,
    name,
    (socket) => {
      // The trust first: in Node 20, getPeerCertificate() after getPeerX509Certificate() has no SAN.
      const trust = chainTrustOf(socket, name);
      const certificate = socket.getPeerX509Certificate();
      if (!certificate) return new Error('the server sent no certificate');
      return { certificate, trust };
    },
    { ...(ca ? { ca } : {}), timeoutMs: TLS_TIMEOUT_MS },
  );
}

/** The leaf of the bring-your-own chain file (certs.files reports it when unreadable). */
function configuredLeaf(context: DoctorContext): X509Certificate | undefined {
  const paths = certificatePaths(context.inventory, context.inventoryDir);
  if (context.inventory.certificates.mode !== 'bring-your-own' || !paths) return undefined;
  try {
    return parsePemCertificates(readFileSync(paths.chain, 'utf8'))[0];
  } catch {
    return undefined;
  }
}

/**
 * What the chain must verify against (as verify.ts): our private CA (self-signed), this
 * machine's roots (Let's Encrypt, bring-your-own), or nothing for Let's Encrypt's staging CA,
 * which no client trusts by design.
 */
function trustAnchor(context: DoctorContext): { ca: string | undefined } | 'skip' {
  const { certificates } = context.inventory;
  if (certificates.mode === 'cert-manager' && certificates.staging) return 'skip';
  if (certificates.mode !== 'self-signed') return { ca: undefined };
  const { ca } = selfSignedPaths(context.inventoryDir);
  return { ca: existsSync(ca) ? readFileSync(ca, 'utf8') : undefined };
}

function expiringFinding(inventory: Inventory, name: string, certificate: X509Certificate, now: Date) {
  const notAfter = new Date(certificate.validTo);
  const days = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  if (days < 0 || days >= EXPIRY_WARNING_DAYS) return [];
  return [
    warn(
      CHECK,
      `the certificate served for ${name} expires in ${days} days, on ${formatCertDate(notAfter)}`,
      inventory.certificates.mode === 'cert-manager'
        ? 'cert-manager renews 15 days ahead: kubectl describe certificate -A; kubectl -n cert-manager-ns logs deploy/cert-manager'
        : 'renew the certificate, update the files (certificates.certChain and key, or run apply for a self-signed one) and apply again',
    ),
  ];
}

const sessionEvidence = (name: string, { certificate }: Session) => [
  `${name}: ${oneLine(certificate.subject)}, issued by ${oneLine(certificate.issuer)}`,
  `${name}: notAfter ${formatCertDate(new Date(certificate.validTo))}; SAN ${sanDnsNames(certificate).join(', ') || 'none'}; SHA-256 ${certificate.fingerprint256}`,
];

function judge(
  context: DoctorContext,
  entry: DnsName,
  session: Session,
  configured: X509Certificate | undefined,
  anchor: ReturnType<typeof trustAnchor>,
): DoctorResult[] {
  const { inventory } = context;
  const { name } = entry;
  const now = new Date();
  // The federator has its own certificate (docs/wire/dns-and-certificates.md#certificates): only the ingress names must be the configured one.
  const served: Finding[] = servedCertificateFindings(
    inventory,
    name,
    session.certificate,
    entry.certificate === 'ingress' ? configured : undefined,
    now,
  );
  // An expired, fake or misnamed leaf also fails the chain check; saying it twice helps no one.
  const trust =
    served.length === 0 && anchor !== 'skip' ? chainTrustFindings(inventory, name, session.trust) : [];
  const problems = [
    ...fromFindings(CHECK, [...served, ...trust], { summary: '' }).filter(
      (result) => result.status !== 'pass',
    ),
    ...(served.length === 0 ? expiringFinding(inventory, name, session.certificate, now) : []),
  ];
  return problems.map((result) => ({
    ...result,
    evidence: [...sessionEvidence(name, session), ...result.evidence],
  }));
}

async function run(context: DoctorContext): Promise<DoctorResult[]> {
  let endpoint: IngressEndpoint;
  try {
    endpoint = ingressEndpoint(context.inventory, context.env);
  } catch (error) {
    return [errorResult(CHECK, `${INGRESS_OVERRIDE_ENV} is not usable`, error)];
  }
  const where = `endpoint: ${describeEndpoint(endpoint)}`;
  const configured = configuredLeaf(context);
  const anchor = trustAnchor(context);
  const names = requiredDnsNames(context.inventory);
  const results: DoctorResult[] = [];
  const passed: string[] = [];
  for (const [index, entry] of names.entries()) {
    let session: Session;
    try {
      session = await readSession(endpoint, entry.name, anchor === 'skip' ? undefined : anchor.ca);
    } catch (error) {
      const untried = names.slice(index + 1).map((other) => other.name);
      results.push(
        fail(
          CHECK,
          `the ingress did not answer TLS for ${entry.name}`,
          `check that the ingress controller runs and ${endpoint.host}:${endpoint.port} is reachable from this machine: kubectl -n default get svc ingress-nginx-controller (NodePort 31773); a host firewall on the node`,
          {
            evidence: [
              where,
              error instanceof Error ? error.message : String(error),
              ...(untried.length > 0 ? [`not tried after that: ${untried.join(', ')}`] : []),
            ],
          },
        ),
      );
      break;
    }
    const problems = judge(context, entry, session, configured, anchor);
    if (problems.length === 0) passed.push(...sessionEvidence(entry.name, session));
    results.push(...problems.map((result) => ({ ...result, evidence: [where, ...result.evidence] })));
  }
  if (results.length > 0) return results;
  return [
    pass(CHECK, `the ingress serves a valid, trusted certificate for all ${names.length} names`, {
      evidence: [
        where,
        ...(anchor === 'skip' ? ["chain not checked: Let's Encrypt's staging CA is trusted by no one"] : []),
        ...passed,
      ],
    }),
  ];
}

export const CERTS_SERVED: DoctorCheck = {
  id: CHECK,
  group: 'certs',
  title: 'the certificate the ingress serves for each name (TLS with SNI): not the fake one, valid, trusted',
  needsHosts: false,
  skipReason: ({ installed, env }) =>
    installed.succeededSteps.has(INGRESS_STEP) || env[INGRESS_OVERRIDE_ENV]
      ? undefined
      : `the ingress is not installed yet (${INGRESS_STEP} has not run); set ${INGRESS_OVERRIDE_ENV}=host:port to check an ingress anyway`,
  run,
};
