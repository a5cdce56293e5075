import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiStatusFindings, webappFindings } from '../../../src/verify/https-findings.js';
import { httpsGet } from '../../../src/verify/https-probe.js';
import type { IngressEndpoint } from '../../../src/verify/ingress-endpoint.js';
import { servedCertificateFindings } from '../../../src/verify/served-certificate-findings.js';
import { servedCertificate } from '../../../src/verify/tls-probe.js';
import { chainTrustFindings, servedChainTrust } from '../../../src/verify/tls-trust.js';
import { production } from '../../support/inventories.js';
import { createTestPki, wireNames } from '../../support/test-pki.js';

/**
 * The verify stage's TLS and HTTPS checks against REAL servers (node:https on 127.0.0.1) with
 * REAL certificates made by openssl here: one for Wire's names, a second one for the same
 * names (not the configured one), an expired one, and a self-signed one named as ingress-nginx
 * names its fake default certificate.
 */

const DOMAIN = 'wire.example.com';
const API = `nginz-https.${DOMAIN}`;
const inventory = production((input) => {
  input.certificates = { mode: 'bring-your-own', certChain: 'chain.pem', key: 'key.pem' };
});

interface Served {
  endpoint: IngressEndpoint;
  /** SNI names and Host headers the server saw. */
  seen: string[];
  server: Server;
}

const dir = mkdtempSync(join(tmpdir(), 'wil-verify-tls-'));
const servers: Server[] = [];

function serve(chain: string, key: string, status = 200): Promise<Served> {
  const seen: string[] = [];
  const server = createServer(
    {
      cert: readFileSync(chain),
      key: readFileSync(key),
      SNICallback: (name, callback) => {
        seen.push(`sni ${name}`);
        callback(null);
      },
    },
    (request, response) => {
      seen.push(`host ${request.headers.host} ${request.url}`);
      if (request.url === '/status') response.writeHead(status, { 'Content-Length': '0' }).end();
      else
        response
          .writeHead(200, { 'Content-Type': 'text/html' })
          .end('<!DOCTYPE html><html><title>Wire</title></html>');
    },
  );
  servers.push(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ endpoint: { host: '127.0.0.1', port, source: 'test' }, seen, server });
    });
  });
}

function fakeIngressCertificate(): { chain: string; key: string } {
  const key = join(dir, 'fake.key');
  const chain = join(dir, 'fake.pem');
  // biome-ignore format: openssl's arguments read best as one command line
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', chain, '-days', '365',
    '-subj', '/O=Acme Co/CN=Kubernetes Ingress Controller Fake Certificate',
    '-addext', 'subjectAltName=DNS:ingress.local',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { chain, key };
}

let right: ReturnType<ReturnType<typeof createTestPki>['leaf']>;
let other: typeof right;
let expired: typeof right;
let configured: X509Certificate;

beforeAll(() => {
  const pki = createTestPki(dir);
  right = pki.leaf('wire', { names: [`*.${DOMAIN}`] });
  other = pki.leaf('other', { names: wireNames(DOMAIN) });
  expired = pki.leaf('expired', { names: [`*.${DOMAIN}`], days: -1 });
  configured = new X509Certificate(readFileSync(right.leafOnly));
});

afterAll(() => {
  for (const server of servers) server.close();
});

describe('the certificate the ingress serves', () => {
  it('passes the configured certificate, asked for with the Wire name as SNI', async () => {
    const served = await serve(right.chain, right.key);
    const certificate = await servedCertificate(served.endpoint, API);
    expect(certificate.fingerprint256).toBe(configured.fingerprint256);
    expect(servedCertificateFindings(inventory, API, certificate, configured)).toEqual([]);
    expect(served.seen).toContain(`sni ${API}`);
  });

  it("names ingress-nginx's fake default certificate", async () => {
    const fake = fakeIngressCertificate();
    const served = await serve(fake.chain, fake.key);
    const findings = servedCertificateFindings(
      inventory,
      API,
      await servedCertificate(served.endpoint, API),
      configured,
    );
    expect(findings.map((f) => f.rule)).toEqual(['verify.certificate-fake']);
    expect(findings[0]?.measured).toContain('Kubernetes Ingress Controller Fake Certificate');
    expect(findings[0]?.fix).toContain('tlsWildcardCert');
  });

  it('names a certificate for the right names that is not the configured one', async () => {
    const served = await serve(other.chain, other.key);
    const certificate = await servedCertificate(served.endpoint, API);
    const findings = servedCertificateFindings(inventory, API, certificate, configured);
    expect(findings.map((f) => f.rule)).toEqual(['verify.certificate-mismatch']);
    expect(findings[0]?.measured).toContain(certificate.fingerprint256);
    expect(findings[0]?.required).toContain(configured.fingerprint256);
  });

  it('names an expired certificate', async () => {
    const served = await serve(expired.chain, expired.key);
    const certificate = await servedCertificate(served.endpoint, API);
    const findings = servedCertificateFindings(inventory, API, certificate, undefined);
    expect(findings.map((f) => f.rule)).toEqual(['verify.certificate-expired']);
  });

  it('says which address did not answer TLS', async () => {
    const served = await serve(right.chain, right.key);
    const { port } = served.endpoint;
    await new Promise((resolve) => served.server.close(resolve));
    await expect(servedCertificate(served.endpoint, API, 2000)).rejects.toThrow(
      `TLS to 127.0.0.1:${port} (SNI ${API}) failed`,
    );
  });
});

describe('the API status and the web app through the ingress', () => {
  it('passes /status answering 200, sent with the Wire name as Host and SNI', async () => {
    const served = await serve(right.chain, right.key, 200);
    const answer = await httpsGet(served.endpoint, API, '/status');
    expect(apiStatusFindings(`https://${API}/status`, answer)).toEqual([]);
    expect(served.seen).toEqual([`sni ${API}`, `host ${API} /status`]);
  });

  it('fails /status answering 502, pointing at nginz', async () => {
    const served = await serve(right.chain, right.key, 502);
    const findings = apiStatusFindings(
      `https://${API}/status`,
      await httpsGet(served.endpoint, API, '/status'),
    );
    expect(findings).toMatchObject([{ rule: 'verify.api-status', measured: 'HTTP 502' }]);
    expect(findings[0]?.fix).toContain('nginz');
  });

  it('passes the web app page and fails a page that is not HTML', async () => {
    const served = await serve(right.chain, right.key);
    const webapp = `webapp.${DOMAIN}`;
    expect(webappFindings(`https://${webapp}/`, await httpsGet(served.endpoint, webapp, '/'))).toEqual([]);
    expect(
      webappFindings(`https://${webapp}/`, { status: 200, body: 'default backend - 404' }),
    ).toMatchObject([{ rule: 'verify.webapp' }]);
  });
});

describe('the chain the ingress serves, as a client trusts it', () => {
  const root = () => readFileSync(join(dir, 'root.pem'), 'utf8');

  it('trusts a full chain to the expected root that names the host', async () => {
    const served = await serve(right.chain, right.key);
    expect(await servedChainTrust(served.endpoint, API, root())).toEqual({ trusted: true, reason: '' });
  });

  it('does not trust a leaf served without its intermediate, nor a chain to another root', async () => {
    const leafOnly = await serve(right.leafOnly, right.key);
    const missing = await servedChainTrust(leafOnly.endpoint, API, root());
    expect(missing.trusted).toBe(false);
    expect(missing.reason).toMatch(/issuer|verify/i);
    const fake = fakeIngressCertificate();
    const elsewhere = await serve(fake.chain, fake.key);
    expect((await servedChainTrust(elsewhere.endpoint, API, root())).trusted).toBe(false);
  });

  it('does not trust a chain that does not name the host asked for', async () => {
    const served = await serve(right.chain, right.key);
    const trust = await servedChainTrust(served.endpoint, 'nginz-https.wire.other.org', root());
    expect(trust.trusted).toBe(false);
    expect(trust.reason).toContain('nginz-https.wire.other.org');
  });

  it('makes an untrusted chain an error with our CA, a warning with a bring-your-own one', () => {
    const untrusted = { trusted: false, reason: 'unable to get local issuer certificate' };
    const selfSigned = production((input) => {
      input.certificates = { mode: 'self-signed' };
    });
    expect(chainTrustFindings(selfSigned, API, untrusted)[0]).toMatchObject({
      severity: 'error',
      rule: 'verify.certificate-chain',
      measured: 'unable to get local issuer certificate',
    });
    expect(chainTrustFindings(inventory, API, untrusted)[0]?.severity).toBe(
      inventory.certificates.mode === 'bring-your-own' ? 'warning' : 'error',
    );
    expect(chainTrustFindings(selfSigned, API, { trusted: true, reason: '' })).toEqual([]);
  });
});
