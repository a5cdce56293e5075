import { existsSync, readFileSync } from 'node:fs';
import { checkCertificateFiles } from '../../certs/check-certificate.js';
import { formatCertDate, oneLine, parsePemCertificates, sanDnsNames } from '../../certs/pem.js';
import type { Inventory } from '../../inventory/defaults.js';
import { requiredDnsNames } from '../../rules/dns-names.js';
import { certificatePaths } from '../../workloads/values/certificate-files.js';
import { fromFindings } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';

/**
 * certs.files: the ingress certificate on disk, judged by the same code as inventory
 * validation (src/certs/check-certificate.ts: readable, key match, expiry with a warning 30
 * days ahead, covers the names, chain complete). Bring-your-own: the operator's files (the
 * federator's certificate is separate, docs/wire/dns-and-certificates.md#certificates, so only the ingress names count). Self-signed:
 * what workloads.self-signed-certificate made under .wire-install/certificates, which covers
 * every name. cert-manager keeps its certificate in the cluster: certs.served checks it.
 */
const CHECK = 'certs.files';

function coveredNames(inventory: Inventory): string[] {
  return requiredDnsNames(inventory)
    .filter((entry) => inventory.certificates.mode === 'self-signed' || entry.certificate === 'ingress')
    .map((entry) => entry.name);
}

/** What the leaf says, for the evidence (check-certificate reports what is wrong with it). */
function leafEvidence(chainPath: string): string[] {
  try {
    const chain = parsePemCertificates(readFileSync(chainPath, 'utf8'));
    const [leaf] = chain;
    if (!leaf) return [];
    return [
      `leaf: ${oneLine(leaf.subject)}, issued by ${oneLine(leaf.issuer)}`,
      `notAfter: ${formatCertDate(new Date(leaf.validTo))}`,
      `SAN: ${sanDnsNames(leaf).join(', ') || 'none'}`,
      `${chain.length} certificate${chain.length === 1 ? '' : 's'} in the chain file`,
    ];
  } catch {
    return [];
  }
}

async function run(context: DoctorContext): Promise<DoctorResult[]> {
  const { inventory, inventoryDir } = context;
  const paths = certificatePaths(inventory, inventoryDir);
  if (!paths) return [];
  const findings = await checkCertificateFiles({
    certChainPath: paths.chain,
    keyPath: paths.key,
    requiredNames: coveredNames(inventory),
    path: ['certificates'],
  });
  const evidence = [`chain: ${paths.chain}`, `key: ${paths.key}`, ...leafEvidence(paths.chain)];
  return fromFindings(CHECK, findings, {
    summary: `the ${inventory.certificates.mode} certificate covers every name, is valid for 30 days or more, chains, and matches its key`,
  }).map((result) => ({ ...result, evidence: [...evidence, ...result.evidence] }));
}

export const CERTS_FILES: DoctorCheck = {
  id: CHECK,
  group: 'certs',
  title: 'the ingress certificate files: names, expiry, chain, key',
  needsHosts: false,
  skipReason: ({ inventory, inventoryDir }) => {
    if (inventory.certificates.mode === 'cert-manager')
      return 'certificates.mode is cert-manager: the certificate lives in the cluster (certs.served checks what the ingress serves)';
    const paths = certificatePaths(inventory, inventoryDir);
    if (inventory.certificates.mode === 'self-signed' && paths && !existsSync(paths.chain))
      return `the self-signed certificate is not made yet (${paths.chain}; apply's workloads.self-signed-certificate makes it)`;
    return undefined;
  },
  run,
};
