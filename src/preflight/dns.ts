import { Resolver } from 'node:dns/promises';
import type { Finding } from '../core/finding.js';
import type { Inventory } from '../inventory/defaults.js';
import { requiredDnsNames } from '../rules/dns-names.js';

/**
 * The names Wire serves under the domain (docs/wire/dns-and-certificates.md#required-dns-names), asked of a real resolver before the
 * install: each must have an A record, and they should all point at the same place (the
 * ingress; wire-install cannot know its public address, which is behind the operator's NAT).
 * A missing name is an error with cert-manager, whose Let's Encrypt HTTP-01 challenge cannot
 * succeed without it (docs/wire/dns-and-certificates.md#certificates), and a warning otherwise: the hosts can be installed first
 * and clients only need the names at the end. doctor's dns.names asks the same way
 * (resolveNames) and judges with dnsFindings, a missing name always an error there.
 */
export type Lookup = (name: string) => Promise<string[]>;

/** The system's resolver, or `server` ("10.0.0.2", "127.0.0.1:5353", "[::1]:53") when given. */
export function dnsResolver(server?: string): Resolver {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  if (server) resolver.setServers([server]);
  return resolver;
}

export function resolverLookup(server?: string): Lookup {
  const resolver = dnsResolver(server);
  return (name) => resolver.resolve4(name);
}

/** The answer codes that mean "no such record" rather than "the server did not answer". */
const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has((error as { code?: string }).code ?? '');
}

export const describeResolver = (server?: string) =>
  server ? `the DNS server ${server}` : "this machine's resolver";

/** One required name and the addresses it resolved to (none: no A record). */
export interface NameAnswer {
  name: string;
  purpose: string;
  addresses: string[];
}

/** Every required name's answer, or the name the resolver did not answer for at all. */
export type ResolvedNames =
  | { answers: NameAnswer[]; failed?: undefined }
  | { failed: { name: string; code: string }; answers?: undefined };

export async function resolveNames(inventory: Inventory, lookup: Lookup): Promise<ResolvedNames> {
  const answers: NameAnswer[] = [];
  for (const { name, purpose } of requiredDnsNames(inventory)) {
    try {
      answers.push({ name, purpose, addresses: (await lookup(name)).sort() });
    } catch (error) {
      if (!isNotFound(error))
        return { failed: { name, code: (error as { code?: string }).code || String(error) } };
      answers.push({ name, purpose, addresses: [] });
    }
  }
  return { answers };
}

export function dnsFindings(
  inventory: Inventory,
  resolved: ResolvedNames,
  server: string | undefined,
  missingSeverity: Finding['severity'],
): Finding[] {
  const resolver = describeResolver(server);
  if (resolved.failed)
    return [
      {
        severity: 'error',
        rule: 'preflight.dns-resolver',
        message: `${resolver} did not answer for ${resolved.failed.name}`,
        measured: resolved.failed.code,
        fix: server
          ? `check that ${server} answers DNS queries`
          : 'check /etc/resolv.conf, or pass --dns-server',
      },
    ];
  const letsEncrypt = inventory.certificates.mode === 'cert-manager';
  const findings: Finding[] = resolved.answers
    .filter((answer) => answer.addresses.length === 0)
    .map(({ name, purpose }) => ({
      severity: missingSeverity,
      rule: 'preflight.dns',
      message: `${name} (${purpose}) does not resolve with ${resolver}`,
      measured: 'no A record',
      required: 'an A record pointing at the ingress (the public address that forwards 443)',
      fix: `add an A record for ${name}${letsEncrypt ? " (Let's Encrypt must reach it over HTTP)" : ''}`,
    }));
  const found = resolved.answers.filter((answer) => answer.addresses.length > 0);
  const distinct = new Set(found.map((answer) => answer.addresses.join(', ')));
  if (distinct.size > 1)
    findings.push({
      severity: 'warning',
      rule: 'preflight.dns-consistent',
      message: "Wire's names do not all point at the same address; they are all served by the one ingress",
      measured: found.map(({ name, addresses }) => `${name} ${addresses.join(', ')}`).join('; '),
      required: 'one address (or set of addresses) for every name',
      fix: 'point every name at the ingress address',
    });
  return findings;
}

export async function checkDns(inventory: Inventory, lookup: Lookup, server?: string): Promise<Finding[]> {
  const missingSeverity = inventory.certificates.mode === 'cert-manager' ? 'error' : 'warning';
  return dnsFindings(inventory, await resolveNames(inventory, lookup), server, missingSeverity);
}
