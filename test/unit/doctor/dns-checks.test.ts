import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DNS_FEDERATION_SRV } from '../../../src/doctor/checks/dns-federation-srv.js';
import { DNS_NAMES } from '../../../src/doctor/checks/dns-names.js';
import { DNS_SPF } from '../../../src/doctor/checks/dns-spf.js';
import type { Inventory } from '../../../src/inventory/defaults.js';
import { freeLoopbackPort, startDnsmasq, type TestDns } from '../../support/dnsmasq.js';
import { demo, production } from '../../support/inventories.js';
import { adminOnlyContext } from './doctor-context.js';

/**
 * doctor's dns checks against REAL DNS servers: dnsmasq on 127.0.0.1 (test/support/dnsmasq.ts),
 * authoritative for the domain and answering only from the records given here.
 */
const domain = production().domain;
const at = (label: string) => `${label}.${domain}`;
const INGRESS = '203.0.113.10';
const ALL = ['nginz-https', 'nginz-ssl', 'webapp', 'assets', 'account', 'teams', 'sftd', 'federator'];

const servers: TestDns[] = [];
async function dnsWith(records: Record<string, string>, extra: Parameters<typeof startDnsmasq>[2] = {}) {
  const dns = await startDnsmasq(domain, records, extra);
  servers.push(dns);
  return dns.server;
}
const every = (address = INGRESS, except: string[] = []) =>
  Object.fromEntries(ALL.filter((label) => !except.includes(label)).map((label) => [at(label), address]));

afterAll(() => {
  for (const dns of servers) dns.stop();
});

const withFederation = production((input) => {
  input.wire = { federation: { enabled: true } };
});
const run = (check: typeof DNS_NAMES, inventory: Inventory, server: string) =>
  check.run(adminOnlyContext(inventory, { dnsServer: server }));

describe('dns.names', () => {
  let complete = '';
  beforeAll(async () => {
    complete = await dnsWith(every());
  });

  it('passes when every name resolves to one address, with each answer as evidence', async () => {
    const results = await run(DNS_NAMES, production(), complete);
    expect(results.map((r) => r.status)).toEqual(['pass']);
    expect(results[0]?.evidence).toContain(`asked the DNS server ${complete}`);
    expect(results[0]?.evidence).toContain(`webapp.${domain} -> ${INGRESS}`);
    expect(results[0]?.summary).toContain(INGRESS);
  });

  it('fails naming exactly the missing name, even without cert-manager', async () => {
    const server = await dnsWith(every(INGRESS, ['teams']));
    const results = await run(
      DNS_NAMES,
      production((input) => {
        input.certificates = { mode: 'self-signed' };
      }),
      server,
    );
    expect(results.map((r) => [r.status, r.summary.split(' ')[0]])).toEqual([['fail', at('teams')]]);
    expect(results[0]?.evidence).toContain(`teams.${domain} -> no A record`);
    expect(results[0]?.fix).toContain(`add an A record for ${at('teams')}`);
  });

  it('warns when the names point at different addresses, listing them', async () => {
    const server = await dnsWith({ ...every(), [at('account')]: '203.0.113.11' });
    const results = await run(DNS_NAMES, production(), server);
    expect(results.map((r) => r.status)).toEqual(['warn']);
    expect(results[0]?.evidence.join('\n')).toContain(`account.${domain} 203.0.113.11`);
  });

  it("compares a demo's names with the demo host's addresses", async () => {
    const inventory = demo();
    const demoHost = inventory.hosts[0]?.externalIp ?? '';
    const right = await run(DNS_NAMES, inventory, await dnsWith(every(demoHost, ['federator'])));
    expect(right.map((r) => r.status)).toEqual(['pass']);
    const wrong = await run(DNS_NAMES, inventory, await dnsWith(every(INGRESS, ['federator'])));
    expect(wrong.map((r) => r.status)).toEqual(['warn']);
    expect(wrong[0]?.summary).toContain(demoHost);
  });

  it('fails naming the server when it does not answer at all', async () => {
    const silent = `127.0.0.1:${await freeLoopbackPort()}`;
    const results = await run(DNS_NAMES, production(), silent);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'fail', check: 'dns.names' });
    expect(results[0]?.fix).toContain(silent);
  }, 20_000);
});

describe('dns.spf', () => {
  it('warns without an SPF record, giving the record to add', async () => {
    const server = await dnsWith(every(), { txt: { [domain]: ['google-site-verification=abc'] } });
    const [result, ...rest] = await run(DNS_SPF, production(), server);
    expect(rest).toEqual([]);
    expect(result?.status).toBe('warn');
    expect(result?.evidence).toContain(`TXT ${domain}: "google-site-verification=abc"`);
    expect(result?.fix).toContain(`TXT record on ${domain}: "v=spf1 a mx ip4:`);
  });

  it('passes with one, and names a relay in the record it suggests', async () => {
    const server = await dnsWith(every(), { txt: { [domain]: [`v=spf1 a mx ip4:${INGRESS} -all`] } });
    expect((await run(DNS_SPF, production(), server)).map((r) => r.status)).toEqual(['pass']);
    const relay = production((input) => {
      input.wire = { smtp: { mode: 'relay', host: 'smtp.example.net' } };
    });
    const none = await dnsWith(every());
    const [result] = await run(DNS_SPF, relay, none);
    expect(result?.evidence).toContain(`TXT ${domain}: none`);
    expect(result?.fix).toContain('a:smtp.example.net');
  });

  it('warns about two SPF records (receivers ignore both)', async () => {
    const server = await dnsWith(every(), {
      txt: { [domain]: ['v=spf1 mx -all'], [`${domain}.`]: ['v=spf1 a -all'] },
    });
    const [result] = await run(DNS_SPF, production(), server);
    expect(result?.status).toBe('warn');
    expect(result?.summary).toContain('2 SPF records');
  });
});

describe('dns.federation-srv', () => {
  const srvName = `_wire-server-federator._tcp.${domain}`;

  it('is skipped without federation, with the reason', () => {
    expect(DNS_FEDERATION_SRV.skipReason(adminOnlyContext(production()))).toContain('federation is off');
    expect(DNS_FEDERATION_SRV.skipReason(adminOnlyContext(withFederation))).toBeUndefined();
  });

  it('fails when the SRV record is missing', async () => {
    const [result] = await run(DNS_FEDERATION_SRV, withFederation, await dnsWith(every()));
    expect(result?.status).toBe('fail');
    expect(result?.evidence).toContain(`SRV ${srvName}: none`);
    expect(result?.fix).toBe(`add ${srvName}. IN SRV 0 10 443 federator.${domain}.`);
  });

  it('passes the record pointing at federator.<domain> port 443, fails one on another port', async () => {
    const good = await dnsWith(every(), { srv: [{ name: srvName, target: at('federator'), port: 443 }] });
    const passed = await run(DNS_FEDERATION_SRV, withFederation, good);
    expect(passed.map((r) => r.status)).toEqual(['pass']);
    expect(passed[0]?.evidence).toContain(`SRV ${srvName}: 0 10 443 federator.${domain}.`);
    const port = await dnsWith(every(), { srv: [{ name: srvName, target: at('federator'), port: 8443 }] });
    const [wrong] = await run(DNS_FEDERATION_SRV, withFederation, port);
    expect(wrong?.status).toBe('fail');
    expect(wrong?.summary).toContain('does not point at');
  });
});
