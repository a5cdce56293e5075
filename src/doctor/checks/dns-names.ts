import { isIP } from 'node:net';
import type { Inventory } from '../../inventory/defaults.js';
import { dnsFindings, type NameAnswer, resolveNames } from '../../preflight/dns.js';
import { fromFindings, warn } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { askedLine, doctorResolver, resolverFailure } from './dns-resolver.js';

/**
 * dns.names: every name Wire serves (docs/wire/dns-and-certificates.md#required-dns-names) resolves, and all to one address, the ingress.
 * Asked and judged by preflight's code (src/preflight/dns.ts), except that a missing name is
 * always a fail here: doctor runs when clients should already reach Wire, and with cert-manager
 * the HTTP-01 challenge cannot issue without it (docs/wire/dns-and-certificates.md#certificates).
 */
const CHECK = 'dns.names';

const answerLine = ({ name, addresses }: NameAnswer) =>
  `${name} -> ${addresses.length > 0 ? addresses.join(', ') : 'no A record'}`;

/**
 * The ingress address the inventory declares, if any. Only a demo says it: its one host takes
 * 443 itself (hostPort), reached at its address or, behind 1:1 NAT, its externalIp. In
 * production the ingress sits behind the operator's DNAT or load balancer, which the inventory
 * does not describe, so there only the names' agreement can be checked.
 */
export function declaredIngressAddresses(
  inventory: Inventory,
): { addresses: string[]; why: string } | undefined {
  const [host] = inventory.hosts;
  if (inventory.mode !== 'demo' || !host) return undefined;
  const addresses = [host.externalIp, host.address, host.privateAddress].filter(
    (address): address is string => address !== undefined && isIP(address) !== 0,
  );
  if (addresses.length === 0) return undefined;
  return {
    addresses: [...new Set(addresses)],
    why: `the demo host ${host.name} serves 443 itself`,
  };
}

function elsewhere(inventory: Inventory, answers: NameAnswer[]): DoctorResult[] {
  const declared = declaredIngressAddresses(inventory);
  if (!declared) return [];
  const wrong = answers.filter(
    (answer) =>
      answer.addresses.length > 0 &&
      !answer.addresses.some((address) => declared.addresses.includes(address)),
  );
  if (wrong.length === 0) return [];
  return [
    warn(
      CHECK,
      `${wrong.map((answer) => answer.name).join(', ')} do not point at ${declared.why} (${declared.addresses.join(' or ')})`,
      `point the A records at ${declared.addresses[0]} (or the public address that forwards 443 to it)`,
      { evidence: wrong.map(answerLine) },
    ),
  ];
}

async function run(context: DoctorContext): Promise<DoctorResult[]> {
  const { inventory, dnsServer } = context;
  const resolver = doctorResolver(context);
  const resolved = await resolveNames(inventory, (name) => resolver.resolve4(name));
  if (resolved.failed) return [resolverFailure(CHECK, context, resolved.failed.name, resolved.failed.code)];
  const { answers } = resolved;
  const declared = declaredIngressAddresses(inventory);
  const results = fromFindings(CHECK, dnsFindings(inventory, resolved, dnsServer, 'error'), {
    summary: `all ${answers.length} names resolve to ${answers[0]?.addresses.join(', ') ?? 'one address'}`,
    evidence: [
      ...answers.map(answerLine),
      declared
        ? `expected: ${declared.addresses.join(' or ')} (${declared.why})`
        : 'the inventory declares no ingress address (it is behind your DNAT or load balancer): only checked that every name points at the same one',
    ],
  });
  // Each problem says what was asked and what came back for the names it is about.
  const withEvidence = results.map((result) =>
    result.status === 'pass'
      ? result
      : {
          ...result,
          evidence: [
            ...result.evidence,
            ...answers.filter((answer) => result.summary.includes(answer.name)).map(answerLine),
          ],
        },
  );
  const all = [...withEvidence, ...elsewhere(inventory, answers)];
  const problems = all.filter((result) => result.status !== 'pass');
  return (problems.length > 0 ? problems : all).map((result) => ({
    ...result,
    evidence: [askedLine(context), ...result.evidence],
  }));
}

export const DNS_NAMES: DoctorCheck = {
  id: CHECK,
  group: 'dns',
  title: "Wire's names resolve, all to the ingress address",
  needsHosts: false,
  skipReason: () => undefined,
  run,
};
