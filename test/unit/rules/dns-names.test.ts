import { describe, expect, it } from 'vitest';
import { checkDnsNames, requiredDnsNames } from '../../../src/rules/dns-names.js';
import { demo, host, production, single } from './fixtures.js';

describe('requiredDnsNames', () => {
  it('lists the six names Wire always needs, under the domain', () => {
    const inventory = production((input) => {
      host(input, 'kubenode2').roles = ['kube-control-plane', 'kube-worker'];
    });
    expect(requiredDnsNames(inventory).map((entry) => entry.name)).toEqual([
      'nginz-https.wire.example.com',
      'nginz-ssl.wire.example.com',
      'webapp.wire.example.com',
      'assets.wire.example.com',
      'account.wire.example.com',
      'teams.wire.example.com',
    ]);
  });

  it('adds sftd with SFT and federator with federation', () => {
    const names = requiredDnsNames(
      production((input) => {
        input.wire = { federation: { enabled: true } };
      }),
    ).map((entry) => entry.name);
    expect(names).toContain('sftd.wire.example.com');
    expect(names.at(-1)).toBe('federator.wire.example.com');
    expect(requiredDnsNames(demo()).map((entry) => entry.name)).not.toContain('federator.wire.example.com');
  });
});

describe('checkDnsNames', () => {
  it('finds nothing in the valid inventories', () => {
    expect(checkDnsNames(production())).toEqual([]);
    expect(checkDnsNames(demo())).toEqual([]);
  });

  it('refuses a domain too long for the names under it', () => {
    // 4 labels of 61 characters + 3 dots + ".com" = 251: valid itself, too long with "nginz-https."
    const label = 'a'.repeat(61);
    const domain = `${label}.${label}.${label}.${label}.com`;
    const findings = checkDnsNames(
      production((input) => {
        input.domain = domain;
      }),
    );
    const tooLong = findings.filter((finding) => finding.rule === 'dns.name-too-long');
    expect(tooLong.length).toBeGreaterThan(0);
    expect(tooLong[0]).toMatchObject({ severity: 'error', path: ['domain'] });
    expect(tooLong[0]?.message).toContain(`nginz-https.${domain}`);
    expect(tooLong[0]?.measured).toBe('263 characters (at most 253)');
  });

  it('warns that a separate federation domain can never change', () => {
    const finding = single(
      checkDnsNames(
        production((input) => {
          input.wire = { federation: { domain: 'example.com' } };
        }),
      ),
      'dns.federation-domain',
    );
    expect(finding).toMatchObject({
      severity: 'warning',
      path: ['wire', 'federation', 'domain'],
      measured: 'example.com',
    });
    expect(finding.message).toContain('setFederationDomain');
  });
});
