import type { Resolver } from 'node:dns/promises';
import { describeResolver, dnsResolver } from '../../preflight/dns.js';
import { fail } from '../results.js';
import type { DoctorContext, DoctorResult } from '../types.js';

/**
 * What the dns checks share: the resolver doctor asks (`--dns-server`, else this machine's),
 * the evidence line that says which one answered, and the fail when it does not answer at all
 * (a resolver that is down says nothing about the records).
 */
export function doctorResolver(context: DoctorContext): Resolver {
  return dnsResolver(context.dnsServer);
}

export const askedLine = (context: DoctorContext) => `asked ${describeResolver(context.dnsServer)}`;

export function resolverFailure(
  check: string,
  context: DoctorContext,
  query: string,
  error: unknown,
): DoctorResult {
  const code = (error as { code?: string }).code || String(error);
  return fail(
    check,
    `${describeResolver(context.dnsServer)} did not answer for ${query}`,
    context.dnsServer
      ? `check that ${context.dnsServer} answers DNS queries (dig @${context.dnsServer.replace(/:(\d+)$/, ' -p $1')} ${query})`
      : 'check /etc/resolv.conf, or pass --dns-server with the server your clients use',
    { evidence: [askedLine(context), `${query}: ${code}`] },
  );
}
