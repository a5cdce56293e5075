import type { Inventory } from '../../inventory/defaults.js';
import type { Mode } from '../../steps/types.js';
import { type ChartDefinition, chartsFor } from '../../wire/charts.js';

/**
 * The order an upgrade moves the releases in, as data beside the install order
 * (src/wire/charts.ts). It is not the install order: Wire's upgrade procedure
 * (docs/wire/upgrades.md#upgrade-the-charts-in-order) upgrades what the backend talks to first, then the ingress, then wire-server
 * (whose pre-upgrade hooks run the schema migrations, docs/wire/migrations.md#migration-jobs), then the web apps that call the
 * new backend, and the calling charts last (their rollout drops running calls, docs/wire/upgrades.md#calling-rollouts).
 */
/** Everything after what wire-server's databases are reached through, the same in both modes. */
const AFTER_DATABASES: readonly string[] = [
  // 2. fake-aws, databases-ephemeral (production enables only its redis-ephemeral), reaper.
  //    redis must be upgraded before wire-server (5.24 points gundeck at redis-ephemeral).
  'fake-aws',
  'databases-ephemeral',
  'reaper',
  // 3. smtp.
  'smtp',
  // 4. The ingress. cert-manager is not in Wire's list; it goes right before
  //    nginx-ingress-services, whose Issuer and Certificate are its CRDs (docs/wire/dns-and-certificates.md#certificates).
  'cert-manager',
  'nginx-ingress-services',
  'ingress-nginx-controller',
  // 5. wire-server, with its migrations watched (docs/wire/migrations.md#migration-jobs).
  'wire-server',
  // 6. The web apps (standalone charts since 4.38 / 5.27).
  'webapp',
  'team-settings',
  'account-pages',
  // 7. Calling last: an sftd or coturn rollout drains or drops calls (docs/wire/upgrades.md#calling-rollouts).
  'sftd',
  'coturn',
];

const PRODUCTION: readonly string[] = [
  // 1. The *-external charts: only Services and Endpoints; usually only IPs differ.
  'cassandra-external',
  'elasticsearch-external',
  'minio-external',
  'postgresql-external',
  'rabbitmq-external',
  ...AFTER_DATABASES,
];

/**
 * A demo runs its databases in the cluster (docs/wire/install-sequences.md#wiab-dev, docs/wire/charts-values-secrets.md#install-order): the in-cluster rabbitmq and
 * postgresql take the place of the *-external charts (what wire-server connects to comes
 * first); the rest follows the same steps as production.
 */
const DEMO: readonly string[] = ['rabbitmq', 'postgresql', ...AFTER_DATABASES];

export function upgradeOrder(mode: Mode): readonly string[] {
  return mode === 'demo' ? DEMO : PRODUCTION;
}

/**
 * The charts this installation has (the same conditions as apply's chart steps: the mode's
 * list, each chart's `when`), in upgrade order. A chart of the install list missing from the
 * upgrade order is a programming error, not something to skip silently.
 */
export function chartsToUpgrade(inventory: Inventory): ChartDefinition[] {
  const installed = chartsFor(inventory.mode).filter((chart) => chart.when?.applies(inventory) ?? true);
  const order = upgradeOrder(inventory.mode);
  const unplaced = installed.filter((chart) => !order.includes(chart.release));
  if (unplaced.length > 0)
    throw new Error(
      `upgrade: no place in the ${inventory.mode} upgrade order for ${unplaced.map((c) => c.release).join(', ')}`,
    );
  return order.flatMap((release) => installed.filter((chart) => chart.release === release));
}
