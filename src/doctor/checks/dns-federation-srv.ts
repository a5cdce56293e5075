import type { SrvRecord } from 'node:dns';
import type { Inventory } from '../../inventory/defaults.js';
import { isNotFound } from '../../preflight/dns.js';
import { fail, pass } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { askedLine, doctorResolver, resolverFailure } from './dns-resolver.js';

/**
 * dns.federation-srv: other backends find this one's federator through the SRV record
 * `_wire-server-federator._tcp.<federation domain>` -> `0 10 443 federator.<domain>.` (docs/wire/dns-and-certificates.md#required-dns-names).
 * Without it (or pointing elsewhere) no federated backend can reach this one: a fail.
 * The record hangs off the federation domain (wire.federation.domain, usually the domain) and
 * points at the federator ingress under the domain.
 */
const CHECK = 'dns.federation-srv';
const FEDERATOR_PORT = 443;

export const federationSrvName = (inventory: Inventory) =>
  `_wire-server-federator._tcp.${inventory.wire.federation.domain}`;

const normalize = (name: string) => name.toLowerCase().replace(/\.$/, '');
const srvLine = (query: string, record: SrvRecord) =>
  `SRV ${query}: ${record.priority} ${record.weight} ${record.port} ${record.name}.`;

async function run(context: DoctorContext): Promise<DoctorResult[]> {
  const { inventory } = context;
  const query = federationSrvName(inventory);
  const target = `federator.${inventory.domain}`;
  const wanted = `${query}. IN SRV 0 10 ${FEDERATOR_PORT} ${target}.`;
  let records: SrvRecord[];
  try {
    records = await doctorResolver(context).resolveSrv(query);
  } catch (error) {
    if (!isNotFound(error)) return [resolverFailure(CHECK, context, `SRV ${query}`, error)];
    records = [];
  }
  const evidence = [
    askedLine(context),
    ...(records.length > 0 ? records.map((record) => srvLine(query, record)) : [`SRV ${query}: none`]),
  ];
  if (records.length === 0)
    return [
      fail(
        CHECK,
        `${query} has no SRV record: other backends cannot find this one's federator`,
        `add ${wanted}`,
        {
          evidence,
        },
      ),
    ];
  const right = records.find((record) => normalize(record.name) === target && record.port === FEDERATOR_PORT);
  if (!right)
    return [
      fail(
        CHECK,
        `${query} does not point at ${target} port ${FEDERATOR_PORT}: other backends reach the wrong place`,
        `replace the SRV record with ${wanted}`,
        { evidence: [...evidence, `expected: ${FEDERATOR_PORT} ${target}.`] },
      ),
    ];
  return [pass(CHECK, `${query} points at ${target} port ${FEDERATOR_PORT}`, { evidence })];
}

export const DNS_FEDERATION_SRV: DoctorCheck = {
  id: CHECK,
  group: 'dns',
  title: "federation on: the SRV record that leads other backends to this one's federator",
  needsHosts: false,
  skipReason: (context) =>
    context.inventory.wire.federation.enabled
      ? undefined
      : 'federation is off (wire.federation.enabled), so no SRV record is needed',
  run,
};
