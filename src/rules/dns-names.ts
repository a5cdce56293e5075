import type { Finding } from '../core/finding.js';
import type { Inventory } from '../inventory/defaults.js';

/**
 * The DNS names Wire serves under the domain (docs/wire/dns-and-certificates.md#required-dns-names). All point at the ingress IP. The
 * certificate rules and the DNS checks of doctor use the same list.
 */

export interface DnsName {
  name: string;
  purpose: string;
  /**
   * Which certificate must cover the name: the ingress certificate (bring-your-own wildcard or
   * SAN certificate; sftd reuses it), or the federator's own, which Wire keeps separate because
   * it also needs the client-auth usage (docs/wire/dns-and-certificates.md#certificates).
   */
  certificate: 'ingress' | 'federator';
}

const ALWAYS: readonly [label: string, purpose: string][] = [
  ['nginz-https', 'REST API (nginz)'],
  ['nginz-ssl', 'websocket (cannon via nginz)'],
  ['webapp', 'web client'],
  ['assets', 'asset downloads (MinIO via the S3 proxy)'],
  ['account', 'account pages (password reset, verification)'],
  // Optional in Wire's docs, but wire-install deploys team-settings, so it is needed here.
  ['teams', 'team settings'],
];

export function requiredDnsNames(inventory: Inventory): DnsName[] {
  const labels: [string, string][] = [...ALWAYS];
  if (inventory.wire.calling.sft.enabled) {
    labels.push(['sftd', 'conference calling signalling (ingress to SFT)']);
  }
  const names: DnsName[] = labels.map(([label, purpose]) => ({
    name: `${label}.${inventory.domain}`,
    purpose,
    certificate: 'ingress',
  }));
  if (inventory.wire.federation.enabled) {
    names.push({
      name: `federator.${inventory.domain}`,
      purpose: 'federation ingress',
      certificate: 'federator',
    });
  }
  return names;
}

const MAX_NAME = 253;
const MAX_LABEL = 63;

function tooLong(name: string): string | undefined {
  if (name.length > MAX_NAME) return `${name.length} characters (at most ${MAX_NAME})`;
  const label = name.split('.').find((part) => part.length > MAX_LABEL);
  return label ? `label ${label} has ${label.length} characters (at most ${MAX_LABEL})` : undefined;
}

export function checkDnsNames(inventory: Inventory): Finding[] {
  const findings: Finding[] = requiredDnsNames(inventory).flatMap(({ name, purpose }): Finding[] => {
    const problem = tooLong(name);
    if (!problem) return [];
    return [
      {
        severity: 'error',
        rule: 'dns.name-too-long',
        path: ['domain'],
        message: `the ${purpose} name ${name} is not a valid DNS name: ${problem}`,
        measured: problem,
        required: `at most ${MAX_NAME} characters, ${MAX_LABEL} per label`,
        fix: `choose a shorter domain (it has ${inventory.domain.length} characters)`,
      },
    ];
  });
  const { domain } = inventory.wire.federation;
  if (domain !== inventory.domain) {
    findings.push({
      severity: 'warning',
      rule: 'dns.federation-domain',
      path: ['wire', 'federation', 'domain'],
      message: `the federation domain ${domain} differs from domain ${inventory.domain}; it becomes setFederationDomain, which can never change after the first install without losing all history`,
      measured: domain,
      required: `${inventory.domain} unless you mean it`,
      fix: `keep it only if other backends should know this one as ${domain} for good; otherwise remove wire.federation.domain`,
    });
  }
  return findings;
}
