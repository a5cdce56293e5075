import { describe, expect, it } from 'vitest';
import { parseInventoryText } from '../../../src/inventory/load.js';
import { editHosts } from '../../../src/remove-host/inventory-edit.js';

/** inventory.yaml after remove-host: the host's entry cut out as text, comments and layout kept. */
const HEAD = [
  '# my installation',
  'apiVersion: wire-install/v1',
  'kind: Inventory',
  'mode: production',
  'domain: wire.example.com',
  'certificates: { mode: self-signed }',
  'hosts:',
];

function edit(lines: string[], remove: string, move?: [string, string]): string {
  const text = lines.join('\n');
  const loaded = parseInventoryText(text, 'inventory.yaml');
  const names = loaded.input.hosts.map((host) => host.name);
  return editHosts(
    text,
    loaded.locate,
    names.length,
    names.indexOf(remove),
    move ? { index: names.indexOf(move[0]), before: names.indexOf(move[1]) } : undefined,
  );
}

describe('the inventory without a host', () => {
  it('cuts a block entry with its comment lines inside, keeping every other line as it was', () => {
    const lines = [
      ...HEAD,
      '  - name: pg1',
      '    address: 10.0.0.1   # the primary',
      '    roles: [postgresql]',
      '  # pg2 has the bigger disk',
      '  - name: pg2',
      '    address: 10.0.0.2',
      '    roles:',
      '      - postgresql',
      '  - name: pg3',
      '    address: 10.0.0.3',
      '    roles: [postgresql]',
      '',
      '# written by hand',
      'ssh: { user: root }',
      '',
    ];
    const text = edit(lines, 'pg2');
    expect(text).toBe([...lines.slice(0, 10), ...lines.slice(15)].join('\n'));
    expect(parseInventoryText(text, 'x').input.hosts.map((host) => host.name)).toEqual(['pg1', 'pg3']);
  });

  it('cuts the last flow entry before the keys that follow the list', () => {
    const lines = [
      ...HEAD,
      '  - { name: pg1, address: 10.0.0.1, roles: [postgresql] }',
      '  - { name: pg2, address: 10.0.0.2, roles: [postgresql] }',
      'ssh:',
      '  user: root',
    ];
    expect(edit(lines, 'pg2')).toBe([...lines.slice(0, 8), ...lines.slice(9)].join('\n'));
  });

  it('moves the promoted standby where the other postgresql hosts begin', () => {
    const lines = [
      ...HEAD,
      '  - { name: pg1, address: 10.0.0.1, roles: [postgresql] }',
      '  - { name: k1, address: 10.0.0.9, roles: [kube-control-plane, kube-worker] }',
      '  - { name: pg2, address: 10.0.0.2, roles: [postgresql] }',
      '  - { name: pg3, address: 10.0.0.3, roles: [postgresql] }',
    ];
    const text = edit(lines, 'pg1', ['pg3', 'pg2']);
    expect(parseInventoryText(text, 'x').input.hosts.map((host) => host.name)).toEqual(['k1', 'pg3', 'pg2']);
    expect(text.split('\n').slice(0, 7)).toEqual(HEAD);
  });

  it('refuses a hosts list written on one line rather than guess', () => {
    const lines = [
      ...HEAD.slice(0, -1),
      'hosts: [{ name: a, address: 10.0.0.1, roles: [postgresql] }, { name: b, address: 10.0.0.2, roles: [postgresql] }]',
    ];
    expect(() => edit(lines, 'a')).toThrow(/written on one line/);
  });
});
