import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { coversName, parsePemCertificates } from '../../../src/certs/pem.js';
import { localHost } from '../../../src/hosts/local-host.js';
import type { OperationContext } from '../../../src/operations/types.js';
import { chartsFor } from '../../../src/wire/charts.js';
import { selfSignedPaths } from '../../../src/workloads/values/certificate-files.js';
import { selfSignedCertificate } from '../../../src/workloads/values/self-signed-certificate.js';
import { at } from '../../../src/workloads/values/tree.js';
import { chartFiles } from '../../../src/workloads/values.js';
import { demo } from '../../support/inventories.js';
import { testSecrets } from '../../support/test-secrets.js';
import { pinnedBundle } from '../../support/upstream-charts.js';

/** The real openssl on this machine makes the demo's private CA and certificate (the admin host is local). */
const context = { host: localHost(), changedPaths: new Set<string>() } as unknown as OperationContext;
/** Wire's real example values (the pinned wire-develop set, wire-server-deploy v5.32's values/). */
const BUNDLE = pinnedBundle();

describe('workloads.self-signed-certificate', () => {
  it('makes a CA and a certificate for every Wire name, 0600, then is current; nginx-ingress-services gets it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-selfsigned-'));
    const inventory = demo();
    const operation = selfSignedCertificate(inventory, dir);
    expect((await operation.check(context)).changes[0]).toMatch(
      /^make .*ca\.crt.* \(private CA and a certificate for nginz-https\.wire\.example\.com/,
    );

    await operation.apply(context);
    const paths = selfSignedPaths(dir);
    expect(statSync(paths.dir).mode & 0o777).toBe(0o700);
    for (const file of [paths.ca, paths.caKey, paths.chain, paths.key])
      expect(statSync(file).mode & 0o777).toBe(0o600);
    const [leaf, ca] = parsePemCertificates(readFileSync(paths.chain, 'utf8'));
    if (!leaf || !ca) throw new Error('the chain should hold the leaf and the CA');
    for (const name of ['nginz-https', 'nginz-ssl', 'webapp', 'assets', 'account', 'teams', 'sftd'])
      expect(coversName(leaf, `${name}.wire.example.com`), name).toBe(true);
    expect(leaf.verify(new X509Certificate(readFileSync(paths.ca)).publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(readFileSync(paths.key)))).toBe(true);
    expect(await operation.check(context)).toEqual({ changes: [], notes: [] });

    const chart = chartsFor('demo').find((candidate) => candidate.release === 'nginx-ingress-services');
    if (!chart) throw new Error('nginx-ingress-services is a demo chart');
    const files = chartFiles(inventory, testSecrets(), BUNDLE, chart, { inventoryDir: dir });
    expect(at(yaml.load(files.secrets ?? ''), 'secrets.tlsWildcardCert')).toBe(
      readFileSync(paths.chain, 'utf8'),
    );
    expect(files.values).not.toContain('PRIVATE KEY');
  });

  it('a new name (federation on) makes the certificate again with the same CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-selfsigned-'));
    await selfSignedCertificate(demo(), dir).apply(context);
    const paths = selfSignedPaths(dir);
    const caBefore = readFileSync(paths.ca, 'utf8');

    const federated = demo((input) => (input.wire = { federation: { enabled: true } }));
    const operation = selfSignedCertificate(federated, dir);
    expect((await operation.check(context)).changes).toEqual([
      `make ${paths.chain} again: it does not cover federator.wire.example.com`,
    ]);
    await operation.apply(context);
    expect(readFileSync(paths.ca, 'utf8')).toBe(caBefore);
    const [leaf] = parsePemCertificates(readFileSync(paths.chain, 'utf8'));
    expect(leaf && coversName(leaf, 'federator.wire.example.com')).toBe(true);
    expect((await operation.check(context)).changes).toEqual([]);
  });
});
