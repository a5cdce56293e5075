import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryInput } from '../../src/inventory/schema.js';
import { ensureSecretsFile } from '../../src/secrets/file.js';
import { startDnsmasq, type TestDns } from '../support/dnsmasq.js';
import { fakeIngressCertificate } from '../support/fake-ingress-certificate.js';
import { productionInput } from '../support/inventories.js';
import { createTestPki, type TestPki } from '../support/test-pki.js';
import { serveTls, type TestTlsServer } from '../support/tls-server.js';
import { runCli } from './run-cli.js';

/**
 * `doctor --only dns` and `--only certs` through the built CLI, against a REAL DNS server
 * (dnsmasq on 127.0.0.1, answering only from the records given) and a REAL TLS server on
 * 127.0.0.1 in the ingress's place (WIRE_INSTALL_INGRESS), with certificates made by openssl.
 * No SSH host is contacted: these groups run on this machine only (the inventory's addresses
 * are the example's, never reached).
 */

interface Result {
  check: string;
  status: string;
  summary: string;
  evidence: string[];
  fix?: string;
}

const DOMAIN = productionInput().domain;
const INGRESS = '203.0.113.10';
const at = (label: string) => `${label}.${DOMAIN}`;
/** The production example's names: sftd is on, federation off (docs/wire/dns-and-certificates.md#required-dns-names). */
const NAMES = ['nginz-https', 'nginz-ssl', 'webapp', 'assets', 'account', 'teams', 'sftd'].map(at);
const SPF = `v=spf1 a mx ip4:${INGRESS} -all`;
const SRV = `_wire-server-federator._tcp.${DOMAIN}`;

const stops: (() => unknown)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

async function dns(names: string[], extra: Parameters<typeof startDnsmasq>[2] = {}): Promise<string> {
  const server: TestDns = await startDnsmasq(
    DOMAIN,
    Object.fromEntries(names.map((name) => [name, INGRESS])),
    extra,
  );
  stops.push(server.stop);
  return server.server;
}

async function workspace(edit?: (input: InventoryInput) => void): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'wil-doctor-dns-certs-'));
  const input = productionInput();
  edit?.(input);
  writeFileSync(join(dir, 'inventory.yaml'), yaml.dump(input));
  await ensureSecretsFile(join(dir, 'secrets.yaml'));
  return dir;
}

async function doctor(dir: string, args: string[], env: Record<string, string> = {}) {
  const run = await runCli(['doctor', '-i', 'inventory.yaml', ...args, '--json'], { cwd: dir, env });
  const report = JSON.parse(run.stdout) as { groups: string[]; results: Result[] };
  return { ...run, report, results: report.results };
}
const of = (results: Result[], check: string) => results.filter((r) => r.check === check);

describe('doctor --only dns (dnsmasq)', () => {
  it('fails dns.names naming exactly the missing name (exit 3)', async () => {
    const server = await dns(
      NAMES.filter((name) => name !== at('webapp')),
      { txt: { [DOMAIN]: [SPF] } },
    );
    const run = await doctor(await workspace(), ['--only', 'dns', '--dns-server', server]);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.report.groups).toEqual(['dns']);
    const names = of(run.results, 'dns.names');
    expect(names.map((r) => [r.status, r.summary.split(' ')[0]])).toEqual([['fail', at('webapp')]]);
    expect(names[0]?.evidence).toEqual(
      expect.arrayContaining([`asked the DNS server ${server}`, `${at('webapp')} -> no A record`]),
    );
    expect(names[0]?.fix).toContain(`add an A record for ${at('webapp')}`);
    expect(of(run.results, 'dns.spf').map((r) => r.status)).toEqual(['pass']);
    expect(of(run.results, 'dns.federation-srv')).toMatchObject([
      { status: 'skip', summary: expect.stringContaining('federation is off') },
    ]);
  }, 30_000);

  it('passes with every name and the SPF record (exit 0)', async () => {
    const server = await dns(NAMES, { txt: { [DOMAIN]: [SPF] } });
    const run = await doctor(await workspace(), ['--only', 'dns', '--dns-server', server]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.results.map((r) => [r.check, r.status])).toEqual([
      ['dns.names', 'pass'],
      ['dns.spf', 'pass'],
      ['dns.federation-srv', 'skip'],
    ]);
    expect(run.results[0]?.evidence).toContain(`${at('nginz-https')} -> ${INGRESS}`);
  }, 30_000);

  it('with federation: fails a missing SRV record and warns about a missing SPF record', async () => {
    const federated = await workspace((input) => {
      input.wire = { federation: { enabled: true } };
    });
    const withFederator = [...NAMES, at('federator')];
    const missing = await doctor(federated, ['--only', 'dns', '--dns-server', await dns(withFederator)]);
    expect(missing.exitCode).toBe(3);
    expect(of(missing.results, 'dns.spf')).toMatchObject([
      {
        status: 'warn',
        fix: `add a TXT record on ${DOMAIN}: "v=spf1 a mx ip4:<the public address mail leaves from> -all"`,
      },
    ]);
    expect(of(missing.results, 'dns.federation-srv')).toMatchObject([
      { status: 'fail', fix: `add ${SRV}. IN SRV 0 10 443 federator.${DOMAIN}.` },
    ]);
    const server = await dns(withFederator, {
      txt: { [DOMAIN]: [SPF] },
      srv: [{ name: SRV, target: at('federator'), port: 443 }],
    });
    const present = await doctor(federated, ['--only', 'dns', '--dns-server', server]);
    expect(present.exitCode, present.stderr).toBe(0);
    expect(of(present.results, 'dns.federation-srv').map((r) => r.status)).toEqual(['pass']);
  }, 30_000);
});

describe('doctor --only certs (a real TLS server in the ingress place)', () => {
  let pki: TestPki;
  let valid: ReturnType<TestPki['leaf']>;
  let expired: typeof valid;
  let pkiDir = '';

  beforeAll(() => {
    pkiDir = mkdtempSync(join(tmpdir(), 'wil-doctor-certs-pki-'));
    pki = createTestPki(pkiDir);
    valid = pki.leaf('valid', { names: [`*.${DOMAIN}`] });
    expired = pki.leaf('expired', { names: [`*.${DOMAIN}`], days: -1 });
  });

  async function ingress(files: { chain: string; key: string }): Promise<TestTlsServer> {
    const server = await serveTls(files.chain, files.key);
    stops.push(server.close);
    return server;
  }
  const bringYourOwn = (files: { chain: string; key: string }) =>
    workspace((input) => {
      input.certificates = { mode: 'bring-your-own', certChain: files.chain, key: files.key };
    });
  /** This machine trusts the test root, as an operator's machine trusts their private CA. */
  const trusting = (server: TestTlsServer) => ({
    WIRE_INSTALL_INGRESS: server.address,
    NODE_EXTRA_CA_CERTS: join(pkiDir, 'root.pem'),
  });

  it('passes valid files and the same certificate served for every name, one session each (exit 0)', async () => {
    const server = await ingress(valid);
    const run = await doctor(await bringYourOwn(valid), ['--only', 'certs'], trusting(server));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.results.map((r) => [r.check, r.status])).toEqual([
      ['certs.files', 'pass'],
      ['certs.served', 'pass'],
    ]);
    expect(server.sessions).toEqual(NAMES);
  }, 30_000);

  it('fails an expired certificate served by the ingress, with its notAfter date (exit 3)', async () => {
    const server = await ingress(expired);
    // The files are valid: only what is served is wrong (a renewal applied to the files, not the cluster).
    const run = await doctor(await bringYourOwn(valid), ['--only', 'certs'], trusting(server));
    expect(run.exitCode).toBe(3);
    expect(of(run.results, 'certs.files').map((r) => r.status)).toEqual(['pass']);
    const served = of(run.results, 'certs.served');
    expect(served.map((r) => r.status)).toEqual(NAMES.flatMap(() => ['fail', 'fail']));
    const expiredResults = served.filter((r) => r.summary.includes('expired on'));
    expect(expiredResults.map((r) => r.summary.split(' ')[4])).toEqual(NAMES);
    expect(expiredResults[0]?.evidence.join('\n')).toMatch(/notAfter \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    // Not the configured certificate either: the second fail of each name.
    expect(served.filter((r) => r.summary.includes('another certificate'))).toHaveLength(NAMES.length);
  }, 30_000);

  it("fails ingress-nginx's fake certificate with the TLS secret hint (exit 3)", async () => {
    const server = await ingress(fakeIngressCertificate(pkiDir));
    const run = await doctor(await bringYourOwn(valid), ['--only', 'certs'], trusting(server));
    expect(run.exitCode).toBe(3);
    const served = of(run.results, 'certs.served');
    expect(served).toHaveLength(NAMES.length);
    expect(served.every((r) => r.status === 'fail' && r.summary.includes('fake default certificate'))).toBe(
      true,
    );
    expect(served[0]?.fix).toContain('secrets.tlsWildcardCert');
  }, 30_000);

  it('fails bring-your-own files that expired or whose key is not theirs; skips the live check before the ingress is installed', async () => {
    const stale = await doctor(await bringYourOwn(expired), ['--only', 'certs']);
    expect(stale.exitCode).toBe(3);
    expect(of(stale.results, 'certs.files')).toMatchObject([
      { status: 'fail', summary: expect.stringContaining('expired on') },
    ]);
    expect(of(stale.results, 'certs.served')).toMatchObject([
      { status: 'skip', summary: expect.stringContaining('workloads.nginx-ingress-services') },
    ]);
    const wrongKey = await doctor(await bringYourOwn({ chain: valid.chain, key: pki.strayKey() }), [
      '--only',
      'certs',
    ]);
    expect(wrongKey.exitCode).toBe(3);
    expect(of(wrongKey.results, 'certs.files')).toMatchObject([
      { status: 'fail', evidence: expect.arrayContaining(['rule: cert.key-match']) },
    ]);
  }, 30_000);
});
