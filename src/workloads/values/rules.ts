import type { Finding } from '../../core/finding.js';
import { MLS_REMOVAL_KEY_NAMES } from '../../secrets/mls.js';
import { leftPlaceholders } from './placeholders.js';
import { REDIS_CHARTS, redisServiceName } from './redis.js';
import { at, type Tree } from './tree.js';
import { POSTGRES_MIGRATION_KEYS, POSTGRES_MIGRATION_STATES } from './wire-server.js';

/**
 * The rules that break real installs, checked on the rendered values and secrets of every
 * chart before anything is deployed (issue 5, docs/wire/charts-values-secrets.md#values, #secrets, docs/wire/upgrades.md#version-notes, docs/wire/known-problems.md#surprises-and-contradictions). A finding never quotes a
 * secret: it says which keys differ or are missing.
 */
export interface RenderedChart {
  release: string;
  chart: string;
  values: Tree;
  secrets: Tree | undefined;
  /** Wire's example values and secrets the files started from (absent: nothing to compare). */
  example?: { values: Tree; secrets: Tree };
}

type Rule = (charts: readonly RenderedChart[], lastApplied: LastApplied) => Finding[];

/** wire-server's values as the last successful apply left them, if it ever ran (last-applied.ts). */
export type LastApplied = (release: string) => Tree | undefined;

const WIRE_SERVER = 'wire-server';

function release(charts: readonly RenderedChart[], chart: string): RenderedChart | undefined {
  return charts.find((rendered) => rendered.chart === chart);
}

function error(rule: string, message: string, fix: string, extra: Partial<Finding> = {}): Finding {
  return { severity: 'error', rule, message, fix, ...extra };
}

/** nginz (and cannon) verify brig's tokens: a different or missing public key is "failed to load keystore" or every request 401 (docs/wire/charts-values-secrets.md#secrets). */
export const zauthPublicKey: Rule = (charts) => {
  const wire = release(charts, WIRE_SERVER);
  if (!wire) return [];
  const brig = at(wire.secrets, 'brig.secrets.zAuth.publicKeys');
  const nginz = at(wire.secrets, 'nginz.secrets.zAuth.publicKeys');
  if (typeof brig === 'string' && brig !== '' && brig === nginz) return [];
  const missing = [
    ...(typeof brig !== 'string' || brig === '' ? ['brig.secrets.zAuth.publicKeys'] : []),
    ...(typeof nginz !== 'string' || nginz === '' ? ['nginz.secrets.zAuth.publicKeys'] : []),
  ];
  return [
    error(
      'values.zauth-public-key',
      missing.length > 0
        ? `wire-server secrets lack ${missing.join(' and ')}`
        : "the zauth public key of nginz differs from brig's: nginz rejects every token brig signs",
      'keep zauth in secrets.yaml as generated (wire-install secrets) and render again; brig and nginz get the same publicKey',
      {
        measured: missing.length > 0 ? `missing: ${missing.join(', ')}` : 'two different keys',
        required: 'brig.secrets.zAuth.publicKeys = nginz.secrets.zAuth.publicKeys',
      },
    ),
  ];
};

/** coturn checks the credentials brig hands out with the same shared secret (docs/wire/charts-values-secrets.md#secrets). */
export const turnSecret: Rule = (charts) => {
  const wire = release(charts, WIRE_SERVER);
  const coturn = release(charts, 'coturn');
  if (!wire || !coturn) return [];
  const brig = at(wire.secrets, 'brig.secrets.turn.secret');
  const zrest = at(coturn.secrets, 'secrets.zrestSecrets');
  const first = Array.isArray(zrest) ? zrest[0] : undefined;
  if (typeof brig === 'string' && brig !== '' && brig === first) return [];
  return [
    error(
      'values.turn-secret',
      "the TURN secret of brig (turn.secret) is not coturn's first zrestSecrets entry: calls cannot get a relay",
      'keep turnSecret in secrets.yaml and render again: brig and coturn both take it from there',
      {
        measured:
          typeof brig !== 'string' || brig === ''
            ? 'brig.secrets.turn.secret missing'
            : first === undefined
              ? 'coturn secrets.zrestSecrets missing'
              : 'two different secrets',
        required: 'brig.secrets.turn.secret = coturn secrets.zrestSecrets[0]',
      },
    ),
  ];
};

/** gundeck's redis must be the Service the deployed redis chart creates. */
export const redisHost: Rule = (charts) => {
  const wire = release(charts, WIRE_SERVER);
  const redisChart = charts.find((rendered) => REDIS_CHARTS.includes(rendered.chart));
  if (!wire) return [];
  const host = at(wire.values, 'gundeck.config.redis.host');
  if (!redisChart)
    return [
      error(
        'values.redis-host',
        'no chart that provides redis is deployed, but gundeck needs one',
        'deploy databases-ephemeral (redis only) or redis-ephemeral before wire-server',
      ),
    ];
  const expected = redisServiceName(redisChart.release);
  if (host === expected) return [];
  return [
    error(
      'values.redis-host',
      `gundeck.config.redis.host names a Service the ${redisChart.chart} release ${redisChart.release} does not create`,
      `set gundeck.config.redis.host to ${expected}, the Service that release creates`,
      { measured: String(host), required: expected },
    ),
  ];
};

/** tags.proxy must be explicit from 5.30 on (docs/wire/charts-values-secrets.md#values). */
export const proxyTag: Rule = (charts) => {
  const wire = release(charts, WIRE_SERVER);
  if (!wire) return [];
  const proxy = at(wire.values, 'tags.proxy');
  if (typeof proxy === 'boolean') return [];
  return [
    error(
      'values.tags-proxy',
      'wire-server tags.proxy is not set to true or false (required explicitly since 5.30)',
      'set tags.proxy: false (or true with proxy.secrets.proxy_config) in the wire-server values',
      {
        measured: proxy === undefined ? 'not set' : JSON.stringify(proxy),
        required: 'true or false',
      },
    ),
  ];
};

/** Each data kind's PostgreSQL migration state, explicit in galley and the same in background-worker (docs/wire/upgrades.md#version-525, docs/wire/known-problems.md#conversations-disappeared-after-525). */
export const postgresMigration: Rule = (charts) => {
  const wire = release(charts, WIRE_SERVER);
  if (!wire) return [];
  const findings: Finding[] = [];
  const allowed: readonly unknown[] = POSTGRES_MIGRATION_STATES;
  for (const key of POSTGRES_MIGRATION_KEYS) {
    const galley = at(wire.values, `galley.config.postgresMigration.${key}`);
    const worker = at(wire.values, `background-worker.config.postgresMigration.${key}`);
    if (!allowed.includes(galley))
      findings.push(
        error(
          'values.postgres-migration',
          `galley.config.postgresMigration.${key} is not set explicitly to a known state`,
          `set it to ${POSTGRES_MIGRATION_STATES.join(', ')} as the installation's migration stands; never back to cassandra after migrating`,
          {
            measured: galley === undefined ? 'not set' : JSON.stringify(galley),
            required: `one of ${POSTGRES_MIGRATION_STATES.join(', ')}`,
          },
        ),
      );
    else if (worker !== undefined && worker !== galley)
      findings.push(
        error(
          'values.postgres-migration',
          `background-worker.config.postgresMigration.${key} differs from galley's`,
          'set both to the same state: background-worker migrates what galley reads',
          {
            measured: `galley ${String(galley)}, background-worker ${String(worker)}`,
            required: 'the same state',
          },
        ),
      );
  }
  return findings;
};

/**
 * The migration states only move forward, one step at a time, against the last apply:
 * cassandra -> migration-to-postgresql -> postgresql. Skipping the middle step moves galley to
 * PostgreSQL before the data is there, and going back hides what was written since: both make
 * conversations disappear (docs/wire/upgrades.md#version-524, #version-525, docs/wire/known-problems.md#conversations-disappeared-after-525). A new bundle whose example values drop
 * or change the key would do it silently.
 */
export const postgresMigrationForward: Rule = (charts, lastApplied) => {
  const wire = release(charts, WIRE_SERVER);
  if (!wire) return [];
  const order: readonly unknown[] = POSTGRES_MIGRATION_STATES;
  const findings: Finding[] = [];
  for (const key of POSTGRES_MIGRATION_KEYS) {
    const path = `galley.config.postgresMigration.${key}`;
    const before = order.indexOf(at(lastApplied(wire.release), path));
    const now = order.indexOf(at(wire.values, path));
    if (before < 0 || now < 0 || now === before || now === before + 1) continue;
    const next = POSTGRES_MIGRATION_STATES[Math.min(before + 1, order.length - 1)];
    findings.push(
      error(
        'values.postgres-migration-order',
        `${path} would go from ${POSTGRES_MIGRATION_STATES[before]} to ${POSTGRES_MIGRATION_STATES[now]}; the states only move forward one at a time`,
        `keep ${POSTGRES_MIGRATION_STATES[before]}, or move to ${next} (set it in the bundle's values/wire-server example values, which wire-install follows) and run the data migration before the next step`,
        {
          measured: `${POSTGRES_MIGRATION_STATES[before]} (last apply) -> ${POSTGRES_MIGRATION_STATES[now]}`,
          required: `${POSTGRES_MIGRATION_STATES[before]} or ${next}`,
        },
      ),
    );
  }
  return findings;
};

/** All four MLS removal keys, needed since 5.25 even with MLS off (docs/wire/charts-values-secrets.md#secrets). */
export const mlsRemovalKeys: Rule = (charts) => {
  const wire = release(charts, WIRE_SERVER);
  if (!wire) return [];
  const removal = at(wire.secrets, 'galley.secrets.mlsPrivateKeys.removal');
  const missing = MLS_REMOVAL_KEY_NAMES.filter((name) => {
    const pem = at(removal, name);
    return typeof pem !== 'string' || !pem.includes('PRIVATE KEY');
  });
  if (missing.length === 0) return [];
  return [
    error(
      'values.mls-removal-keys',
      `galley.secrets.mlsPrivateKeys.removal lacks ${missing.join(', ')}`,
      'run wire-install secrets to complete secrets.yaml (it generates the missing MLS removal keys), then render again',
      {
        measured: `${MLS_REMOVAL_KEY_NAMES.length - missing.length} of ${MLS_REMOVAL_KEY_NAMES.length} keys`,
        required: MLS_REMOVAL_KEY_NAMES.join(', '),
      },
    ),
  ];
};

/** The federation domain is part of every user's identity: changing it means losing all history (docs/wire/known-problems.md#the-federation-domain-cannot-change). */
export const federationDomainUnchanged: Rule = (charts, lastApplied) => {
  const wire = release(charts, WIRE_SERVER);
  if (!wire) return [];
  const before = at(lastApplied(wire.release), 'brig.config.optSettings.setFederationDomain');
  const now = at(wire.values, 'brig.config.optSettings.setFederationDomain');
  if (before === undefined || before === now) return [];
  return [
    error(
      'values.federation-domain',
      'brig.config.optSettings.setFederationDomain differs from the last apply; Wire cannot change it after the first deploy',
      `set wire.federation.domain back to ${String(before)} in the inventory (a new domain needs a new installation)`,
      {
        measured: String(now),
        required: `${String(before)} (as last applied)`,
      },
    ),
  ];
};

/**
 * No placeholder of Wire's example files reaches helm (`<public key>`, changeme, names under
 * example.com): a release would install and not work. wire-install fills every one it knows;
 * a newer bundle may bring one it does not.
 */
export const examplePlaceholders: Rule = (charts) =>
  charts.flatMap((chart) => {
    if (!chart.example) return [];
    const left = [
      ...leftPlaceholders(chart.example.values, chart.values).map((entry) => ({ ...entry, kind: 'values' })),
      ...leftPlaceholders(chart.example.secrets, chart.secrets ?? {}).map((entry) => ({
        ...entry,
        kind: 'secrets',
      })),
    ];
    if (left.length === 0) return [];
    const inSecrets = left.some((entry) => entry.kind === 'secrets');
    // A secret never goes into the bundle's example files (readable by anyone who can read the
    // bundle): for one of those, only a wire-install that knows the key can fill it.
    const fix = inSecrets
      ? `this bundle's example secrets have a key wire-install does not fill yet (${left
          .filter((entry) => entry.kind === 'secrets')
          .map((entry) => entry.path)
          .join(
            ', ',
          )}): use a wire-install release that knows this Wire version, or the bundle of a Wire release it supports`
      : `wire-install fills the placeholders it knows; this bundle has one it does not: put your value at that key in the bundle's values/${chart.chart}/<demo|prod>-values.example.yaml (wire-install starts from that file) and run again`;
    return [
      error(
        'values.example-placeholder',
        `${chart.release}: ${left.map((entry) => entry.path).join(', ')} still ${left.length === 1 ? 'holds' : 'hold'} a placeholder of Wire's example (${[...new Set(left.map((entry) => entry.what))].join(', ')})`,
        fix,
        { measured: left.map((entry) => entry.path).join(', '), required: 'a value of this installation' },
      ),
    ];
  });

export const VALUES_RULES: readonly Rule[] = [
  examplePlaceholders,
  zauthPublicKey,
  turnSecret,
  redisHost,
  proxyTag,
  postgresMigration,
  postgresMigrationForward,
  mlsRemovalKeys,
  federationDomainUnchanged,
];

export function checkRenderedCharts(charts: readonly RenderedChart[], lastApplied: LastApplied): Finding[] {
  return VALUES_RULES.flatMap((rule) => rule(charts, lastApplied));
}
