import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/inventory/defaults.js';
import { chartsToUpgrade } from '../../../src/upgrade/charts/order.js';
import { migrationsStatement } from '../../../src/upgrade/charts/rollback.js';
import { chartsFor } from '../../../src/wire/charts.js';
import { demo, production } from '../../support/inventories.js';

/** The upgrade order (docs/wire/upgrades.md#upgrade-the-charts-in-order) against the install lists of charts.ts. */

const releases = (inventory: Inventory) => chartsToUpgrade(inventory).map((chart) => chart.release);
const installed = (inventory: Inventory) =>
  chartsFor(inventory.mode)
    .filter((chart) => chart.when?.applies(inventory) ?? true)
    .map((chart) => chart.release);

describe('chartsToUpgrade', () => {
  const inventories: [string, Inventory][] = [
    ['production with calling and cert-manager', production()],
    [
      'production with a mail relay, self-signed, no calling',
      production((input) => {
        input.certificates = { mode: 'self-signed' };
        input.wire = {
          smtp: { mode: 'relay', host: 'mail.example.com', port: 587 },
          calling: { sft: { enabled: false }, coturn: { enabled: false } },
        };
        input.hosts = input.hosts.map((host) => {
          const { externalIp: _ip, ...rest } = host;
          return { ...rest, roles: rest.roles.filter((role) => role !== 'sftd' && role !== 'coturn') };
        });
      }),
    ],
    ['demo', demo()],
  ];

  it.each(inventories)('%s: exactly the releases apply installs, none twice', (_name, inventory) => {
    const order = releases(inventory);
    expect(new Set(order).size).toBe(order.length);
    expect([...order].sort()).toEqual([...installed(inventory)].sort());
  });

  it.each(inventories)("%s: Wire's upgrade steps in order", (_name, inventory) => {
    const order = releases(inventory);
    const at = (release: string) => order.indexOf(release);
    const comesBefore = (first: string[], then: string[]) => {
      const present = (list: string[]) => list.filter((release) => at(release) >= 0);
      for (const a of present(first))
        for (const b of present(then)) expect(at(a), `${a} before ${b}`).toBeLessThan(at(b));
    };
    const databases = order.filter(
      (release) => release.endsWith('-external') || ['rabbitmq', 'postgresql'].includes(release),
    );
    expect(databases.length).toBeGreaterThan(0);
    comesBefore(databases, ['fake-aws', 'databases-ephemeral', 'reaper']);
    comesBefore(['fake-aws', 'databases-ephemeral', 'reaper'], ['smtp']);
    comesBefore(['smtp'], ['cert-manager', 'nginx-ingress-services', 'ingress-nginx-controller']);
    // cert-manager's CRDs before the Issuer nginx-ingress-services creates (docs/wire/dns-and-certificates.md#certificates).
    comesBefore(['cert-manager'], ['nginx-ingress-services']);
    comesBefore(
      ['fake-aws', 'databases-ephemeral', 'reaper', 'nginx-ingress-services', 'ingress-nginx-controller'],
      ['wire-server'],
    );
    comesBefore(['wire-server'], ['webapp', 'team-settings', 'account-pages']);
    comesBefore(['webapp', 'team-settings', 'account-pages'], ['sftd', 'coturn']);
  });

  it('differs from the install order (the ingress comes before wire-server)', () => {
    const inventory = production();
    expect(releases(inventory)).not.toEqual(installed(inventory));
    expect(installed(inventory).indexOf('ingress-nginx-controller')).toBeGreaterThan(
      installed(inventory).indexOf('wire-server'),
    );
  });
});

describe('migrationsStatement', () => {
  const target = { from: '5.28.0', to: '5.32.0', id: 'u1' };
  it('says no migration ran when wire-server was not upgraded', () => {
    expect(migrationsStatement({}, target)).toMatch(/^No schema migration ran/);
  });
  it('says the migrations are forward-only once wire-server was upgraded', () => {
    const statement = migrationsStatement(
      {
        'wire-server': {
          release: 'wire-server',
          namespace: 'default',
          revision: 4,
          chart: 'wire-server-5.28.0',
          recordedAt: '',
          previous: null,
        },
      },
      target,
    );
    expect(statement).toContain('forward-only');
    expect(statement).toContain('Cassandra snapshot taken before upgrade u1');
  });
});
