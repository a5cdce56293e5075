import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERTS_FILES } from '../../../src/doctor/checks/certs-files.js';
import { CERTS_SERVED } from '../../../src/doctor/checks/certs-served.js';
import type { Inventory } from '../../../src/inventory/defaults.js';
import { requiredDnsNames } from '../../../src/rules/dns-names.js';
import { selfSignedPaths } from '../../../src/workloads/values/certificate-files.js';
import { freeLoopbackPort } from '../../support/dnsmasq.js';
import { fakeIngressCertificate } from '../../support/fake-ingress-certificate.js';
import { production } from '../../support/inventories.js';
import { createTestPki, type TestPki } from '../../support/test-pki.js';
import { serveTls, type TestTlsServer } from '../../support/tls-server.js';
import { adminOnlyContext } from './doctor-context.js';

/**
 * doctor's certs checks with REAL certificates (openssl, test/support/test-pki.ts) and a REAL
 * TLS server on 127.0.0.1 in the ingress's place (WIRE_INSTALL_INGRESS points at it).
 */
const DOMAIN = production().domain;
const dir = mkdtempSync(join(tmpdir(), 'wil-doctor-certs-'));
let pki: TestPki;
let valid: ReturnType<TestPki['leaf']>;
let expired: typeof valid;
let expiring: typeof valid;
const servers: TestTlsServer[] = [];

beforeAll(() => {
  pki = createTestPki(dir);
  valid = pki.leaf('valid', { names: [`*.${DOMAIN}`] });
  expired = pki.leaf('expired', { names: [`*.${DOMAIN}`], days: -1 });
  expiring = pki.leaf('expiring', { names: [`*.${DOMAIN}`], days: 10 });
});
afterAll(async () => {
  for (const server of servers) await server.close();
});

async function serve(files: { chain: string; key: string }) {
  const server = await serveTls(files.chain, files.key);
  servers.push(server);
  return server;
}

const bringYourOwn = (files: { chain: string; key: string }) =>
  production((input) => {
    input.certificates = { mode: 'bring-your-own', certChain: files.chain, key: files.key };
  });

/** A self-signed installation's folder whose private CA is the test root (so the chain verifies). */
function selfSignedDir(files: { chain: string; key: string }): string {
  const inventoryDir = mkdtempSync(join(dir, 'self-signed-'));
  const paths = selfSignedPaths(inventoryDir);
  mkdirSync(paths.dir, { recursive: true });
  copyFileSync(files.chain, paths.chain);
  copyFileSync(files.key, paths.key);
  copyFileSync(join(pki.dir, 'root.pem'), paths.ca);
  return inventoryDir;
}
const selfSigned = production((input) => {
  input.certificates = { mode: 'self-signed' };
});

const served = (inventory: Inventory, server: TestTlsServer, inventoryDir = dir) =>
  CERTS_SERVED.run(
    adminOnlyContext(inventory, { inventoryDir, env: { WIRE_INSTALL_INGRESS: server.address } }),
  );

describe('certs.served', () => {
  it('applies once the ingress is installed, or with WIRE_INSTALL_INGRESS', () => {
    expect(CERTS_SERVED.skipReason(adminOnlyContext(production()))).toContain(
      'workloads.nginx-ingress-services',
    );
    const installed = adminOnlyContext(production(), {
      succeededSteps: ['workloads.nginx-ingress-services'],
    });
    expect(CERTS_SERVED.skipReason(installed)).toBeUndefined();
    const override = adminOnlyContext(production(), { env: { WIRE_INSTALL_INGRESS: '127.0.0.1:1' } });
    expect(CERTS_SERVED.skipReason(override)).toBeUndefined();
  });

  it('passes a valid chain to the trusted CA, in one TLS session per name with the name as SNI', async () => {
    const server = await serve(valid);
    const results = await served(selfSigned, server, selfSignedDir(valid));
    expect(results.map((r) => r.status)).toEqual(['pass']);
    const names = requiredDnsNames(selfSigned).map((entry) => entry.name);
    expect(server.sessions).toEqual(names);
    expect(results[0]?.evidence).toContain(`endpoint: ${server.address} (WIRE_INSTALL_INGRESS)`);
  });

  it('fails an expired certificate for every name, with its notAfter date', async () => {
    const server = await serve(expired);
    const results = await served(selfSigned, server, selfSignedDir(expired));
    const names = requiredDnsNames(selfSigned).map((entry) => entry.name);
    expect(results.map((r) => r.status)).toEqual(names.map(() => 'fail'));
    expect(results.every((r) => r.summary.includes('expired on'))).toBe(true);
    const notAfter =
      readFileSync(expired.chain, 'utf8') && results[0]?.evidence.find((e) => e.includes('notAfter'));
    expect(notAfter).toMatch(/notAfter \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  });

  it("fails ingress-nginx's fake certificate, pointing at the TLS secret", async () => {
    const server = await serve(fakeIngressCertificate(dir));
    const results = await served(bringYourOwn(valid), server);
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.status === 'fail' && r.summary.includes('fake default certificate'))).toBe(
      true,
    );
    expect(results[0]?.fix).toContain('tlsWildcardCert');
    expect(results[0]?.evidence.join('\n')).toContain('Kubernetes Ingress Controller Fake Certificate');
  });

  it('fails a bring-your-own installation serving another certificate than the configured one', async () => {
    const server = await serve(valid);
    const other = pki.leaf('other', { names: [`*.${DOMAIN}`] });
    const results = await served(bringYourOwn(other), server);
    expect(results[0]).toMatchObject({ status: 'fail' });
    expect(results[0]?.summary).toMatch(/serves another certificate for \S+ than the one configured/);
  });

  it('warns 30 days before expiry, and fails a chain without its intermediate', async () => {
    const soon = await served(selfSigned, await serve(expiring), selfSignedDir(expiring));
    expect(soon.map((r) => r.status)).toEqual(soon.map(() => 'warn'));
    expect(soon[0]?.summary).toMatch(/expires in (9|10) days/);
    const leafOnly = { chain: valid.leafOnly, key: valid.key };
    const broken = await served(selfSigned, await serve(leafOnly), selfSignedDir(valid));
    expect(broken[0]).toMatchObject({ status: 'fail' });
    expect(broken[0]?.summary).toContain('does not verify');
  });

  it('fails once, with the endpoint, when nothing answers', async () => {
    const port = await freeLoopbackPort();
    const results = await CERTS_SERVED.run(
      adminOnlyContext(production(), { env: { WIRE_INSTALL_INGRESS: `127.0.0.1:${port}` } }),
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'fail' });
    expect(results[0]?.evidence[0]).toBe(`endpoint: 127.0.0.1:${port} (WIRE_INSTALL_INGRESS)`);
    expect(results[0]?.evidence.join('\n')).toContain('not tried after that');
  });
});

describe('certs.files', () => {
  it('is skipped with cert-manager, and for a self-signed installation before apply made it', () => {
    expect(CERTS_FILES.skipReason(adminOnlyContext(production()))).toContain('cert-manager');
    expect(CERTS_FILES.skipReason(adminOnlyContext(selfSigned, { inventoryDir: dir }))).toContain(
      'workloads.self-signed-certificate',
    );
    expect(CERTS_FILES.skipReason(adminOnlyContext(selfSigned, { inventoryDir: selfSignedDir(valid) }))).toBe(
      undefined,
    );
  });

  it('passes valid bring-your-own files, with the leaf as evidence', async () => {
    const results = await CERTS_FILES.run(adminOnlyContext(bringYourOwn(valid), { inventoryDir: dir }));
    expect(results.map((r) => r.status)).toEqual(['pass']);
    expect(results[0]?.evidence).toContain(`chain: ${valid.chain}`);
    expect(results[0]?.evidence.join('\n')).toContain(`SAN: *.${DOMAIN}`);
  });

  it('fails an expired certificate and a key that is not its own', async () => {
    const old = await CERTS_FILES.run(adminOnlyContext(bringYourOwn(expired), { inventoryDir: dir }));
    expect(old.map((r) => [r.status, r.evidence.at(-1)])).toEqual([['fail', 'rule: cert.expired']]);
    const stray = { chain: valid.chain, key: pki.strayKey() };
    const wrongKey = await CERTS_FILES.run(adminOnlyContext(bringYourOwn(stray), { inventoryDir: dir }));
    expect(wrongKey.map((r) => [r.status, r.evidence.at(-1)])).toEqual([['fail', 'rule: cert.key-match']]);
  });
});
