import { Resolver } from 'node:dns/promises';
import type { Inventory } from '../inventory/defaults.js';
import { requiredDnsNames } from '../rules/dns-names.js';
import type { Finding } from '../rules/finding.js';

/**
 * The names Wire serves under the domain (FACTS 4.1), asked of a real resolver before the
 * install: each must have an A record, and they should all point at the same place (the
 * ingress; wire-install cannot know its public address, which is behind the operator's NAT).
 * A missing name is an error with cert-manager, whose Let's Encrypt HTTP-01 challenge cannot
 * succeed without it (FACTS 4.2), and a warning otherwise: the hosts can be installed first
 * and clients only need the names at the end.
 */
export type Lookup = (name: string) => Promise<string[]>;

/** The system's resolver, or `server` ("10.0.0.2", "127.0.0.1:5353", "[::1]:53") when given. */
export function resolverLookup(server?: string): Lookup {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  if (server) resolver.setServers([server]);
  return (name) => resolver.resolve4(name);
}

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export async function checkDns(inventory: Inventory, lookup: Lookup, server?: string): Promise<Finding[]> {
  const resolver = server ? `the DNS server ${server}` : "this machine's resolver";
  const missingSeverity = inventory.certificates.mode === 'cert-manager' ? 'error' : 'warning';
  const findings: Finding[] = [];
  const answers = new Map<string, string>();
  for (const { name, purpose } of requiredDnsNames(inventory)) {
    try {
      const addresses = (await lookup(name)).sort();
      answers.set(name, addresses.join(', '));
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!NOT_FOUND.has(code))
        return [
          {
            severity: 'error',
            rule: 'preflight.dns-resolver',
            message: `${resolver} did not answer for ${name}`,
            measured: code || String(error),
            fix: server
              ? `check that ${server} answers DNS queries`
              : 'check /etc/resolv.conf, or pass --dns-server',
          },
        ];
      findings.push({
        severity: missingSeverity,
        rule: 'preflight.dns',
        message: `${name} (${purpose}) does not resolve with ${resolver}`,
        measured: 'no A record',
        required: 'an A record pointing at the ingress (the public address that forwards 443)',
        fix: `add an A record for ${name}${missingSeverity === 'error' ? " (Let's Encrypt must reach it over HTTP)" : ''}`,
      });
    }
  }
  const distinct = new Set(answers.values());
  if (distinct.size > 1)
    findings.push({
      severity: 'warning',
      rule: 'preflight.dns-consistent',
      message: "Wire's names do not all point at the same address; they are all served by the one ingress",
      measured: [...answers].map(([name, addresses]) => `${name} ${addresses}`).join('; '),
      required: 'one address (or set of addresses) for every name',
      fix: 'point every name at the ingress address',
    });
  return findings;
}
