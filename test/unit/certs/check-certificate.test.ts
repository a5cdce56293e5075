import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCertificateFiles } from '../../../src/certs/check-certificate.js';
import { coversName, dnsNameMatches, parsePemCertificates, sanDnsNames } from '../../../src/certs/pem.js';
import type { Finding } from '../../../src/core/finding.js';

/**
 * Real certificates made with the openssl CLI in a temp dir: a root CA, an intermediate, and
 * leaves signed by the intermediate. Expired and not-yet-valid leaves come from `openssl ca`
 * with -startdate/-enddate (openssl 3.0 `x509 -req` has no -not_before/-not_after).
 */

const DOMAIN = 'example.com';
const WIRE_NAMES = ['nginz-https', 'nginz-ssl', 'webapp', 'assets', 'account', 'teams'].map(
  (label) => `${label}.${DOMAIN}`,
);

let dir: string;
const f = (name: string) => join(dir, name);

/** openssl req arguments for a new, unencrypted P-256 key. */
const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function ext(name: string, lines: string[]): Promise<string> {
  await writeFile(f(name), `${lines.join('\n')}\n`);
  return name;
}

/** A leaf signed by the intermediate (x509 -req), valid for `days`. */
async function leaf(name: string, sans: string[], keyAlg: string[] = ['-newkey', 'rsa:2048']): Promise<void> {
  openssl(
    'req',
    '-new',
    ...keyAlg,
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${sans[0] ?? name}`,
  );
  const extfile = await ext(`${name}.ext`, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    ...(sans.length > 0 ? [`subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}`] : []),
  ]);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'int.pem',
    '-CAkey',
    'int.key',
    '-set_serial',
    String(Math.floor(Math.random() * 1e9)),
    '-days',
    '365',
    '-sha256',
    '-extfile',
    extfile,
    '-out',
    `${name}.pem`,
  );
}

/** A leaf with exact dates (YYYYMMDDHHMMSSZ), signed by the intermediate through `openssl ca`. */
async function datedLeaf(name: string, start: string, end: string): Promise<void> {
  openssl(
    'req',
    '-new',
    ...NEW_P256_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=webapp.${DOMAIN}`,
  );
  openssl(
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'int.pem',
    '-keyfile',
    'int.key',
    '-in',
    `${name}.csr`,
    '-out',
    `${name}.pem`,
    '-startdate',
    start,
    '-enddate',
    end,
    '-extensions',
    'leaf_ext',
    '-notext',
  );
}

async function cat(target: string, ...parts: string[]): Promise<void> {
  const texts = await Promise.all(parts.map((part) => readFile(f(part), 'utf8')));
  await writeFile(f(target), texts.join(''));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wire-install-certs-'));
  expect(execFileSync('openssl', ['version']).toString()).toMatch(/OpenSSL/);

  // Root and intermediate CA.
  openssl(
    'req',
    '-x509',
    ...NEW_P256_KEY,
    '-keyout',
    'root.key',
    '-out',
    'root.pem',
    '-days',
    '3650',
    '-subj',
    '/CN=Test Root CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl(
    'req',
    '-new',
    ...NEW_P256_KEY,
    '-keyout',
    'int.key',
    '-out',
    'int.csr',
    '-subj',
    '/CN=Test Intermediate CA',
  );
  await ext('int.ext', [
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(
    'x509',
    '-req',
    '-in',
    'int.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-set_serial',
    '2',
    '-days',
    '1825',
    '-sha256',
    '-extfile',
    'int.ext',
    '-out',
    'int.pem',
  );

  await leaf('wire', WIRE_NAMES);
  await leaf('wildcard', [`*.${DOMAIN}`], ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']);
  await leaf(
    'nossl',
    WIRE_NAMES.filter((name) => !name.startsWith('nginz-ssl.')),
  );
  await leaf('nosan', []);

  // openssl ca for exact dates.
  await writeFile(f('index.txt'), '');
  await writeFile(f('serial'), '1000\n');
  await writeFile(
    f('ca.cnf'),
    [
      '[ ca ]',
      'default_ca = CA_default',
      '[ CA_default ]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir',
      'serial = $dir/serial',
      'default_md = sha256',
      'policy = policy_any',
      'unique_subject = no',
      'copy_extensions = none',
      '[ policy_any ]',
      'commonName = supplied',
      '[ leaf_ext ]',
      'basicConstraints = CA:FALSE',
      `subjectAltName = ${WIRE_NAMES.map((name) => `DNS:${name}`).join(',')}`,
      '',
    ].join('\n'),
  );
  await datedLeaf('expired', '20200101000000Z', '20200201000000Z');
  await datedLeaf('future', '20990101000000Z', '20991231000000Z');

  // A self-signed leaf, a key from another pair, an encrypted key, junk.
  openssl(
    'req',
    '-x509',
    ...NEW_P256_KEY,
    '-keyout',
    'self.key',
    '-out',
    'self.pem',
    '-days',
    '365',
    '-subj',
    `/CN=*.${DOMAIN}`,
    '-addext',
    `subjectAltName=DNS:*.${DOMAIN}`,
  );
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'other.key');
  openssl(
    'genpkey',
    '-algorithm',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-aes256',
    '-pass',
    'pass:secret',
    '-out',
    'encrypted.key',
  );
  await writeFile(f('junk.pem'), 'this is not a certificate\n');

  await cat('wire-chain.pem', 'wire.pem', 'int.pem');
  await cat('wire-chain-root.pem', 'wire.pem', 'int.pem', 'root.pem');
  await cat('wire-bad-chain.pem', 'wire.pem', 'root.pem');
  await cat('wildcard-chain.pem', 'wildcard.pem', 'int.pem');
  await cat('nossl-chain.pem', 'nossl.pem', 'int.pem');
  await cat('nosan-chain.pem', 'nosan.pem', 'int.pem');
  await cat('expired-chain.pem', 'expired.pem', 'int.pem');
  await cat('future-chain.pem', 'future.pem', 'int.pem');
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function check(chain: string, key: string, extra: { now?: Date; requiredNames?: string[] } = {}) {
  return checkCertificateFiles({
    certChainPath: f(chain),
    keyPath: f(key),
    requiredNames: extra.requiredNames ?? WIRE_NAMES,
    ...(extra.now ? { now: extra.now } : {}),
  });
}

function only(findings: Finding[], rule: string): Finding {
  const matching = findings.filter((finding) => finding.rule === rule);
  expect(matching, JSON.stringify(findings, null, 2)).toHaveLength(1);
  return matching[0] as Finding;
}

function rules(findings: Finding[]): string[] {
  return findings.map((finding) => finding.rule).sort();
}

describe('checkCertificateFiles', () => {
  it('accepts a SAN certificate with its chain and key', async () => {
    expect(await check('wire-chain.pem', 'wire.key')).toEqual([]);
    expect(await check('wire-chain-root.pem', 'wire.key')).toEqual([]);
  });

  it('accepts a wildcard certificate for every Wire name', async () => {
    expect(await check('wildcard-chain.pem', 'wildcard.key')).toEqual([]);
  });

  it('cert.readable: a missing file names the file and the OS error', async () => {
    const findings = await check('nope.pem', 'wire.key');
    const finding = only(findings, 'cert.readable');
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain(f('nope.pem'));
    expect(finding.message).toContain('ENOENT');
    expect(finding.path).toEqual(['certificates', 'certChain']);
    expect(finding.fix).toMatch(/certificates\.certChain/);
  });

  it('cert.readable: a missing key is reported on the key path, and the certificate is still checked', async () => {
    const findings = await check('nossl-chain.pem', 'missing.key');
    const finding = only(findings, 'cert.readable');
    expect(finding.path).toEqual(['certificates', 'key']);
    expect(finding.message).toContain(f('missing.key'));
    expect(rules(findings)).toEqual(['cert.readable', 'cert.san']);
  });

  it('cert.readable: not PEM, swapped files, an encrypted key', async () => {
    const junk = only(await check('junk.pem', 'wire.key'), 'cert.readable');
    expect(junk.message).toMatch(/junk\.pem holds no PEM certificate/);

    const swapped = await check('wire.key', 'wire.pem');
    expect(swapped.map((finding) => finding.rule)).toEqual(['cert.readable', 'cert.readable']);
    expect(swapped[0]?.message).toMatch(/holds a private key and no certificate/);
    expect(swapped[1]?.message).toMatch(/holds a certificate and no private key/);
    expect(swapped[1]?.path).toEqual(['certificates', 'key']);

    const encrypted = only(await check('wire-chain.pem', 'encrypted.key'), 'cert.readable');
    expect(encrypted.message).toMatch(/encrypted with a passphrase/);
    expect(encrypted.fix).toMatch(/openssl pkey/);
  });

  it('cert.readable: a path that exists but cannot be read as a file reports the OS error', async () => {
    // A directory fails to read even for root (tests run as root in CI, where a chmod 000 file
    // would still be readable), and takes the same not-ENOENT path as EACCES.
    await mkdir(f('a-directory.pem'), { recursive: true });
    const finding = only(await check('a-directory.pem', 'wire.key'), 'cert.readable');
    expect(finding.message).toContain('EISDIR');
    expect(finding.fix).toMatch(/readable by the user running wire-install/);
    expect(finding.path).toEqual(['certificates', 'certChain']);
  });

  it('cert.key-match: a key from another pair', async () => {
    const finding = only(await check('wire-chain.pem', 'other.key'), 'cert.key-match');
    expect(finding.severity).toBe('error');
    expect(finding.path).toEqual(['certificates', 'key']);
    expect(finding.message).toContain(f('other.key'));
    expect(finding.message).toMatch(
      /does not belong to the leaf certificate \(CN=nginz-https\.example\.com\)/,
    );
    expect(finding.measured).toMatch(/^key sha256:[0-9a-f]{16}, certificate sha256:[0-9a-f]{16}$/);
    // Different key type too (EC key for an RSA certificate).
    expect(rules(await check('wire-chain.pem', 'wildcard.key'))).toEqual(['cert.key-match']);
  });

  it('cert.expired: with the notAfter date', async () => {
    const findings = await check('expired-chain.pem', 'expired.key');
    expect(rules(findings)).toEqual(['cert.expired']);
    const finding = only(findings, 'cert.expired');
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain('expired on 2020-02-01 00:00:00 UTC');
    expect(finding.measured).toBe('notAfter 2020-02-01 00:00:00 UTC');
    expect(finding.path).toEqual(['certificates', 'certChain']);
    expect(finding.fix).toMatch(/renew/);
  });

  it('cert.not-yet-valid: with the notBefore date', async () => {
    const finding = only(await check('future-chain.pem', 'future.key'), 'cert.not-yet-valid');
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain('not valid before 2099-01-01 00:00:00 UTC');
  });

  it('cert.expiring: a warning with the days left within 30 days', async () => {
    const notAfter = new Date(new X509Certificate(await readFile(f('wire.pem'))).validTo);
    const now = new Date(notAfter.getTime() - 10 * 24 * 3600 * 1000);
    const findings = await check('wire-chain.pem', 'wire.key', { now });
    const finding = only(findings, 'cert.expiring');
    expect(finding.severity).toBe('warning');
    expect(finding.message).toMatch(/expires in 10 days, on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(finding.measured).toMatch(/^10 days left/);
    // 31 days ahead: no warning.
    const later = new Date(notAfter.getTime() - 31 * 24 * 3600 * 1000);
    expect(await check('wire-chain.pem', 'wire.key', { now: later })).toEqual([]);
    // Past notAfter the same certificate is expired.
    const after = new Date(notAfter.getTime() + 1000);
    expect(rules(await check('wire-chain.pem', 'wire.key', { now: after }))).toEqual(['cert.expired']);
  });

  it('cert.san: lists the uncovered name', async () => {
    const finding = only(await check('nossl-chain.pem', 'nossl.key'), 'cert.san');
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain('does not cover nginz-ssl.example.com;');
    expect(finding.message).toContain('its DNS names are: nginz-https.example.com, webapp.example.com');
    expect(finding.fix).toContain('*.example.com');
    expect(finding.path).toEqual(['certificates', 'certChain']);
  });

  it('cert.san: lists every uncovered name; the wildcard covers one label only', async () => {
    const required = [...WIRE_NAMES, `federator.${DOMAIN}`, `a.b.${DOMAIN}`, DOMAIN];
    const finding = only(
      await check('wildcard-chain.pem', 'wildcard.key', { requiredNames: required }),
      'cert.san',
    );
    expect(finding.message).toContain(`does not cover a.b.${DOMAIN}, ${DOMAIN};`);
  });

  it('cert.san: the CN does not count without SANs', async () => {
    const finding = only(
      await check('nosan-chain.pem', 'nosan.key', { requiredNames: ['nosan'] }),
      'cert.san',
    );
    expect(finding.message).toMatch(/its DNS names are: none \(the subject CN=nosan does not count/);
  });

  it('cert.chain: warns when only the leaf is given', async () => {
    const findings = await check('wire.pem', 'wire.key');
    const finding = only(findings, 'cert.chain');
    expect(finding.severity).toBe('warning');
    expect(finding.message).toContain('Wire wants the full chain (leaf plus intermediates)');
    expect(finding.message).toContain('issued by CN=Test Intermediate CA');
  });

  it('cert.chain: a self-signed leaf alone is fine', async () => {
    expect(await check('self.pem', 'self.key')).toEqual([]);
  });

  it('cert.chain: an error when the certificates do not chain', async () => {
    const finding = only(await check('wire-bad-chain.pem', 'wire.key'), 'cert.chain');
    expect(finding.severity).toBe('error');
    expect(finding.message).toMatch(
      /do not chain: certificate 1 \(CN=nginz-https\.example\.com\) is issued by CN=Test Intermediate CA, but certificate 2 is CN=Test Root CA/,
    );
  });

  it('puts a custom path into every finding', async () => {
    const findings = await checkCertificateFiles({
      certChainPath: f('nossl.pem'),
      keyPath: f('other.key'),
      requiredNames: WIRE_NAMES,
      path: ['x', 0],
    });
    expect(rules(findings)).toEqual(['cert.chain', 'cert.key-match', 'cert.san']);
    for (const finding of findings) expect(finding.path?.slice(0, 2)).toEqual(['x', 0]);
  });
});

describe('parsePemCertificates, coversName', () => {
  it('reads every certificate of a chain in order', async () => {
    const certs = parsePemCertificates(await readFile(f('wire-chain-root.pem'), 'utf8'));
    expect(certs.map((cert) => cert.subject)).toEqual([
      'CN=nginz-https.example.com',
      'CN=Test Intermediate CA',
      'CN=Test Root CA',
    ]);
    expect(parsePemCertificates('no pem here')).toEqual([]);
    expect(() =>
      parsePemCertificates('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'),
    ).toThrow(/PEM block 1 is not a valid certificate/);
  });

  it('handles CRLF line endings', async () => {
    const text = (await readFile(f('wire-chain.pem'), 'utf8')).replace(/\n/g, '\r\n');
    expect(parsePemCertificates(text)).toHaveLength(2);
  });

  it('matches names against SAN DNS entries', async () => {
    const wildcard = new X509Certificate(await readFile(f('wildcard.pem')));
    expect(sanDnsNames(wildcard)).toEqual(['*.example.com']);
    expect(coversName(wildcard, 'webapp.example.com')).toBe(true);
    expect(coversName(wildcard, 'WebApp.Example.com.')).toBe(true);
    expect(coversName(wildcard, 'example.com')).toBe(false);
    expect(coversName(wildcard, 'a.b.example.com')).toBe(false);
    const san = new X509Certificate(await readFile(f('wire.pem')));
    expect(coversName(san, 'nginz-ssl.example.com')).toBe(true);
    expect(coversName(san, 'sftd.example.com')).toBe(false);
  });

  it('wildcard rules', () => {
    expect(dnsNameMatches('*.example.com', 'x.example.com')).toBe(true);
    expect(dnsNameMatches('*.com', 'example.com')).toBe(false);
    expect(dnsNameMatches('w*.example.com', 'webapp.example.com')).toBe(false);
    expect(dnsNameMatches('*.*.example.com', 'a.b.example.com')).toBe(false);
    expect(dnsNameMatches('x.example.com', 'y.example.com')).toBe(false);
  });
});
