import { describe, expect, it } from 'vitest';
import { checkAddresses, ipInCidr, parseCidr } from '../../../src/rules/addresses.js';
import { byRule, demo, host, production, single } from './fixtures.js';

describe('CIDR helpers', () => {
  it('parses IPv4 CIDRs and refuses anything else', () => {
    expect(parseCidr('10.233.64.0/18')).toMatchObject({ prefix: 18 });
    expect(parseCidr('10.233.64.7/18')?.first).toBe(parseCidr('10.233.64.0/18')?.first);
    expect(parseCidr('10.233.64.0/33')).toBeUndefined();
    expect(parseCidr('10.233.64.0')).toBeUndefined();
    expect(parseCidr('fd00::/8')).toBeUndefined();
  });

  it('tells whether an address is inside, including both ends of the range', () => {
    expect(ipInCidr('10.233.64.0', '10.233.64.0/18')).toBe(true);
    expect(ipInCidr('10.233.127.255', '10.233.64.0/18')).toBe(true);
    expect(ipInCidr('10.233.128.0', '10.233.64.0/18')).toBe(false);
    expect(ipInCidr('10.233.63.255', '10.233.64.0/18')).toBe(false);
    expect(ipInCidr('255.255.255.255', '0.0.0.0/0')).toBe(true);
    expect(ipInCidr('192.168.1.1', '192.168.1.1/32')).toBe(true);
  });

  it('never puts an IPv6 address inside an IPv4 CIDR', () => {
    expect(ipInCidr('::ffff:10.233.64.5', '10.233.64.0/18')).toBe(false);
    expect(ipInCidr('fe80::1', '0.0.0.0/0')).toBe(false);
  });
});

describe('checkAddresses', () => {
  it('finds nothing in the valid inventories', () => {
    expect(checkAddresses(production())).toEqual([]);
    expect(checkAddresses(demo())).toEqual([]);
  });

  it('refuses two hosts with the same SSH address, once', () => {
    const findings = checkAddresses(
      production((input) => {
        host(input, 'kubenode2').address = '192.168.122.21';
      }),
    );
    expect(findings).toHaveLength(1);
    const finding = single(findings, 'address.ssh-duplicate');
    expect(finding).toMatchObject({ severity: 'error', host: 'kubenode2', path: ['hosts', 1, 'address'] });
    expect(finding.message).toContain('kubenode1');
    expect(finding.message).toContain('192.168.122.21');
  });

  it('accepts one address on different SSH ports, but not as the private address of both', () => {
    const findings = checkAddresses(
      production((input) => {
        host(input, 'kubenode1').ssh = { port: 2201 };
        host(input, 'kubenode2').address = '192.168.122.21';
      }),
    );
    expect(byRule(findings, 'address.ssh-duplicate')).toEqual([]);
    expect(single(findings, 'address.private-duplicate')).toMatchObject({
      host: 'kubenode2',
      path: ['hosts', 1, 'address'],
    });
  });

  it('refuses a duplicate privateAddress', () => {
    const findings = checkAddresses(
      production((input) => {
        host(input, 'datanode1').privateAddress = '192.168.122.40';
        host(input, 'datanode2').privateAddress = '192.168.122.40';
      }),
    );
    const finding = single(findings, 'address.private-duplicate');
    expect(finding).toMatchObject({
      severity: 'error',
      host: 'datanode2',
      path: ['hosts', 4, 'privateAddress'],
    });
    expect(finding.message).toContain('192.168.122.40');
  });

  it('asks for privateAddress when address is a DNS name', () => {
    const finding = single(
      checkAddresses(
        production((input) => {
          host(input, 'kubenode1').address = 'kubenode1.lan';
        }),
      ),
      'address.private-missing',
    );
    expect(finding).toMatchObject({
      severity: 'error',
      host: 'kubenode1',
      path: ['hosts', 0, 'privateAddress'],
    });
    expect(finding.message).toContain('kubenode1.lan');
    expect(finding.fix).toContain('hosts[0].privateAddress');
  });

  it('refuses an address inside the pod network, without the 10.x warning on top', () => {
    const findings = checkAddresses(
      production((input) => {
        host(input, 'datanode1').privateAddress = '10.233.70.1';
      }),
    );
    expect(findings).toHaveLength(1);
    const finding = single(findings, 'address.in-pod-cidr');
    expect(finding).toMatchObject({
      severity: 'error',
      host: 'datanode1',
      path: ['hosts', 3, 'privateAddress'],
    });
    expect(finding.message).toContain('10.233.70.1');
    expect(finding.message).toContain('10.233.64.0/18');
  });

  it('refuses an SSH address inside the service network', () => {
    const finding = single(
      checkAddresses(
        production((input) => {
          host(input, 'assethost').address = '10.233.0.20';
        }),
      ),
      'address.in-service-cidr',
    );
    expect(finding).toMatchObject({ host: 'assethost', path: ['hosts', 6, 'address'] });
    expect(finding.message).toContain('10.233.0.0/18');
  });

  it('uses the CIDRs of the inventory, not the defaults', () => {
    const findings = checkAddresses(
      production((input) => {
        input.kubernetes = { mode: 'bundled', podCidr: '192.168.122.0/25', serviceCidr: '172.30.0.0/16' };
      }),
    );
    expect(byRule(findings, 'address.in-pod-cidr').map((finding) => finding.host)).toEqual([
      'kubenode1',
      'kubenode2',
      'kubenode3',
      'datanode1',
      'datanode2',
      'datanode3',
      'assethost',
    ]);
  });

  it('warns about 10.x addresses outside the cluster networks', () => {
    const finding = single(
      checkAddresses(
        production((input) => {
          host(input, 'kubenode1').address = '10.1.1.21';
        }),
      ),
      'address.ten-network',
    );
    expect(finding).toMatchObject({ severity: 'warning', host: 'kubenode1', measured: '10.1.1.21' });
    expect(finding.message).toContain('Wire advises');
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['239.1.1.1', 'multicast'],
  ])('refuses %s as privateAddress (%s)', (address, kind) => {
    const finding = single(
      checkAddresses(
        production((input) => {
          host(input, 'datanode3').privateAddress = address;
        }),
      ),
      'address.unusable',
    );
    expect(finding).toMatchObject({
      severity: 'error',
      host: 'datanode3',
      path: ['hosts', 5, 'privateAddress'],
    });
    expect(finding.message).toContain(kind);
  });

  it('allows a loopback SSH address (a tunnel) when privateAddress is set', () => {
    const findings = checkAddresses(
      production((input) => {
        const node = host(input, 'datanode3');
        node.address = '127.0.0.1';
        node.ssh = { port: 2203 };
        node.privateAddress = '192.168.122.33';
      }),
    );
    expect(findings).toEqual([]);
  });

  it('refuses a multicast externalIp and warns about a private one', () => {
    const multicast = single(
      checkAddresses(
        production((input) => {
          host(input, 'kubenode2').externalIp = '224.0.0.5';
        }),
      ),
      'address.unusable',
    );
    expect(multicast).toMatchObject({ path: ['hosts', 1, 'externalIp'] });
    const internal = single(
      checkAddresses(
        production((input) => {
          host(input, 'kubenode3').externalIp = '172.20.0.3';
        }),
      ),
      'address.external-private',
    );
    expect(internal).toMatchObject({
      severity: 'warning',
      host: 'kubenode3',
      path: ['hosts', 2, 'externalIp'],
    });
  });

  it('refuses overlapping pod and service networks', () => {
    const finding = single(
      checkAddresses(
        production((input) => {
          input.kubernetes = { mode: 'bundled', podCidr: '10.233.0.0/16', serviceCidr: '10.233.0.0/18' };
        }),
      ),
      'address.cidr-overlap',
    );
    expect(finding).toMatchObject({ severity: 'error', path: ['kubernetes', 'serviceCidr'] });
  });

  it('refuses an API endpoint inside the cluster networks, with or without a port', () => {
    const finding = single(
      checkAddresses(
        production((input) => {
          input.kubernetes = { mode: 'bundled', apiEndpoint: '10.233.0.1:6443' };
        }),
      ),
      'address.in-service-cidr',
    );
    expect(finding).toMatchObject({ path: ['kubernetes', 'apiEndpoint'] });
    const outside = production((input) => {
      input.kubernetes = { mode: 'bundled', apiEndpoint: 'https://192.168.122.5:6443' };
    });
    expect(checkAddresses(outside)).toEqual([]);
  });
});
