import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInventory } from '../../../src/rules/index.js';
import { createTestPki, type TestPki, wireNames } from '../../support/test-pki.js';
import { production } from './fixtures.js';

let dir: string;
let pki: TestPki;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wire-install-check-'));
  pki = createTestPki(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('checkInventory: every rule the inventory alone allows', () => {
  it('checks bring-your-own certificates against the ingress names, relative to the inventory directory', async () => {
    const names = wireNames('wire.example.com').filter((name) => name !== 'webapp.wire.example.com');
    pki.leaf('no-webapp', { names });
    const inventory = production((input) => {
      input.certificates = { mode: 'bring-your-own', certChain: 'no-webapp.chain.pem', key: 'no-webapp.key' };
    });
    const findings = await checkInventory(inventory, { baseDir: dir });
    const san = findings.filter((finding) => finding.rule === 'cert.san');
    expect(san).toHaveLength(1);
    expect(san[0]?.message).toContain('webapp.wire.example.com');
    expect(san[0]?.severity).toBe('error');
  });

  it('does not require federator.<domain> in the ingress certificate: Wire gives the federator its own', async () => {
    pki.leaf('ingress-only', { names: [...wireNames('wire.example.com'), 'sftd.wire.example.com'] });
    const inventory = production((input) => {
      input.certificates = {
        mode: 'bring-your-own',
        certChain: 'ingress-only.chain.pem',
        key: 'ingress-only.key',
      };
      input.wire = { federation: { enabled: true } };
    });
    const findings = await checkInventory(inventory, { baseDir: dir });
    expect(findings.filter((finding) => finding.rule.startsWith('cert.'))).toEqual([]);
  });

  it('federation needs the CA file the federation ingress checks other backends with: missing, unreadable, no certificate, good', async () => {
    const federated = (clientCA: string | undefined) =>
      production((input) => {
        input.wire = { federation: { enabled: true, ...(clientCA ? { clientCA } : {}) } };
      });
    const caFindings = async (clientCA: string | undefined) =>
      (await checkInventory(federated(clientCA), { baseDir: dir })).filter(
        (finding) => finding.rule === 'federation.client-ca',
      );
    expect(await caFindings(undefined)).toMatchObject([
      { severity: 'error', path: ['wire', 'federation', 'clientCA'], measured: 'not set' },
    ]);
    expect(await caFindings('no-such-ca.pem')).toMatchObject([{ measured: 'ENOENT' }]);
    expect(await caFindings(pki.strayKey())).toMatchObject([{ measured: 'no certificate' }]);
    expect(await caFindings('root.pem')).toEqual([]);
  });

  it('lists errors before warnings', async () => {
    const inventory = production((input) => {
      input.hosts[0] = { ...input.hosts[0], address: '10.1.1.1', resources: { memoryGiB: 4 } } as never;
    });
    const severities = (await checkInventory(inventory, { baseDir: dir })).map((finding) => finding.severity);
    expect(severities).toContain('error');
    expect(severities).toContain('warning');
    expect(severities.indexOf('warning')).toBeGreaterThan(severities.lastIndexOf('error'));
  });
});
