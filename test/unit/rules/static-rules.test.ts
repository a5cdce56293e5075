import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../../src/core/finding.js';
import { parseInventoryText } from '../../../src/inventory/load.js';
import { checkInventoryStatic } from '../../../src/rules/static-rules.js';
import { demo, host, production } from './fixtures.js';

describe('checkInventoryStatic', () => {
  it('finds nothing in the valid inventories', () => {
    expect(checkInventoryStatic(production())).toEqual([]);
    expect(checkInventoryStatic(demo())).toEqual([]);
  });

  it('finds nothing in the shipped example inventory', () => {
    const text = readFileSync(new URL('../../../inventory.example.yaml', import.meta.url), 'utf8');
    const findings = checkInventoryStatic(parseInventoryText(text, 'inventory.example.yaml').inventory);
    expect(hasErrors(findings)).toBe(false);
    expect(findings).toEqual([]);
  });

  it('runs every rule module and lists errors first, each group in rule order', () => {
    const findings = checkInventoryStatic(
      production((input) => {
        host(input, 'datanode1').resources = { memoryGiB: 10 }; // hardware.shared (warning)
        host(input, 'datanode3').privateAddress = '192.168.122.31'; // address.private-duplicate (error)
        host(input, 'kubenode1').resources = { memoryGiB: 4 }; // hardware.memory (error)
        input.wire = { federation: { domain: 'example.com' } }; // dns.federation-domain (warning)
        host(input, 'datanode2').roles = ['minio']; // roles.count (errors)
      }),
    );
    expect(findings.map((finding) => `${finding.severity} ${finding.rule}`)).toEqual([
      'error roles.count',
      'error roles.count',
      'error roles.count',
      'error roles.count',
      'error hardware.memory',
      'error address.private-duplicate',
      'warning hardware.shared',
      'warning dns.federation-domain',
    ]);
  });
});
