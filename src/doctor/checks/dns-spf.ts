import type { Inventory } from '../../inventory/defaults.js';
import { isNotFound } from '../../preflight/dns.js';
import { pass, warn } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { askedLine, doctorResolver, resolverFailure } from './dns-resolver.js';

/**
 * dns.spf: the sender's domain publishes an SPF record (a TXT record starting `v=spf1`).
 * Wire always sends mail (verification codes, password resets), through the demo relay that
 * delivers directly or through the operator's relay; without SPF the receivers put it in spam
 * or reject it and brig's /activate/send fails (docs/wire/known-problems.md#no-verification-emails). WIAB's verify_dns warns about
 * it too (docs/wire/install-sequences.md#wiab-dev, docs/wire/dns-and-certificates.md#required-dns-names), so a warn, not a fail.
 */
const CHECK = 'dns.spf';

/** The record docs/wire/dns-and-certificates.md#required-dns-names gives, shaped for where the mail leaves from. */
export function suggestedSpf(inventory: Inventory): string {
  const smtp = inventory.wire.smtp;
  if (smtp.mode === 'relay') return `v=spf1 mx a:${smtp.host} -all`;
  return 'v=spf1 a mx ip4:<the public address mail leaves from> -all';
}

export const senderDomain = (inventory: Inventory) =>
  inventory.wire.smtp.sender.split('@').pop() ?? inventory.domain;

async function run(context: DoctorContext): Promise<DoctorResult[]> {
  const { inventory } = context;
  const domain = senderDomain(inventory);
  let records: string[];
  try {
    // A TXT record comes in chunks of at most 255 characters; a receiver joins them.
    records = (await doctorResolver(context).resolveTxt(domain)).map((chunks) => chunks.join(''));
  } catch (error) {
    if (!isNotFound(error)) return [resolverFailure(CHECK, context, `TXT ${domain}`, error)];
    records = [];
  }
  const spf = records.filter((record) => /^v=spf1(\s|$)/i.test(record));
  const evidence = [
    askedLine(context),
    `mail is sent as ${inventory.wire.smtp.sender} (wire.smtp, mode ${inventory.wire.smtp.mode})`,
    ...(records.length > 0 ? records.map((record) => `TXT ${domain}: "${record}"`) : [`TXT ${domain}: none`]),
  ];
  const add = `add a TXT record on ${domain}: "${suggestedSpf(inventory)}"`;
  if (spf.length === 0)
    return [
      warn(
        CHECK,
        `${domain} has no SPF record: mail from Wire (verification codes) lands in spam or is rejected`,
        add,
        { evidence },
      ),
    ];
  if (spf.length > 1)
    return [
      warn(
        CHECK,
        `${domain} has ${spf.length} SPF records: receivers treat that as an error and ignore them all (RFC 7208 3.2)`,
        `merge them into one TXT record, e.g. "${suggestedSpf(inventory)}"`,
        { evidence },
      ),
    ];
  return [pass(CHECK, `${domain} has an SPF record`, { evidence })];
}

export const DNS_SPF: DoctorCheck = {
  id: CHECK,
  group: 'dns',
  title: "the sender's domain has an SPF record (mail from Wire is not spam)",
  needsHosts: false,
  skipReason: () => undefined,
  run,
};
