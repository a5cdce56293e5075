import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/inventory/defaults.js';
import type { WireSecrets } from '../../../src/secrets/generate.js';
import { renderCharts } from '../../../src/workloads/values/render-all.js';
import { checkRenderedCharts, type RenderedChart } from '../../../src/workloads/values/rules.js';
import { at, isTree, type Tree } from '../../../src/workloads/values/tree.js';
import { demo, production } from '../../support/inventories.js';
import { TEST_CERTIFICATE, testSecrets } from '../../support/test-secrets.js';
import { pinnedBundle } from '../../support/upstream-charts.js';

/**
 * The consistency rules on rendered charts: the example inventories pass; each rule fails on the
 * one broken input it is about, with the rule id, the keys and a fix, and never a secret.
 */
/** Wire's real example values (the pinned wire-develop set, wire-server-deploy v5.32's values/). */
const BUNDLE = pinnedBundle();
const never = () => undefined;

function render(inventory: Inventory, secrets: WireSecrets = testSecrets()): RenderedChart[] {
  return renderCharts(inventory, secrets, BUNDLE, { certificate: TEST_CERTIFICATE });
}

/** Sets (or with undefined deletes) a dotted key of one chart's values or secrets. */
function edit(
  charts: RenderedChart[],
  release: string,
  file: 'values' | 'secrets',
  path: string,
  value: unknown,
) {
  const chart = charts.find((candidate) => candidate.release === release);
  if (!chart) throw new Error(`no release ${release}`);
  // A JSON copy: the rendered trees may share sub-objects, which an edit must not change twice.
  const root = JSON.parse(JSON.stringify(chart[file] ?? {})) as Tree;
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node: Tree = root;
  for (const key of keys) {
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  if (value === undefined) delete node[last];
  else node[last] = value;
  chart[file] = root;
  return charts;
}

const rules = (findings: { rule: string }[]) => findings.map((finding) => finding.rule);

describe('values consistency rules', () => {
  it('find nothing in what the example inventories render', () => {
    expect(checkRenderedCharts(render(production()), never)).toEqual([]);
    expect(checkRenderedCharts(render(demo()), never)).toEqual([]);
  });

  it("values.example-placeholder: a key of Wire's example that wire-install does not fill (a newer bundle's)", () => {
    const charts = render(production());
    const wire = charts.find((chart) => chart.release === 'wire-server');
    if (!wire?.example) throw new Error('wire-server has no example');
    // A bundle whose example brings a new placeholder wire-install knows nothing of:
    wire.example = {
      values: { ...wire.example.values, brig: { newSetting: 'https://new.example.com/' } },
      secrets: { ...wire.example.secrets, brig: { newToken: '<new token>' } },
    };
    edit(charts, 'wire-server', 'values', 'brig.newSetting', 'https://new.example.com/');
    edit(charts, 'wire-server', 'secrets', 'brig.newToken', '<new token>');
    const findings = checkRenderedCharts(charts, never);
    expect(rules(findings)).toEqual(['values.example-placeholder']);
    expect(findings[0]?.message).toContain('wire-server: brig.newSetting, brig.newToken still hold');
    // A secret is never to be put into the bundle's example files.
    expect(findings[0]?.fix).toContain(
      "this bundle's example secrets have a key wire-install does not fill yet (brig.newToken)",
    );
    expect(findings[0]?.fix).not.toContain('secrets.example.yaml');
    const valuesOnly = render(production());
    const chart = valuesOnly.find((candidate) => candidate.release === 'wire-server');
    if (!chart?.example) throw new Error('wire-server has no example');
    chart.example = {
      ...chart.example,
      values: { ...chart.example.values, brig: { newSetting: 'https://new.example.com/' } },
    };
    edit(valuesOnly, 'wire-server', 'values', 'brig.newSetting', 'https://new.example.com/');
    expect(checkRenderedCharts(valuesOnly, never)[0]?.fix).toContain(
      'values/wire-server/<demo|prod>-values.example.yaml',
    );
    // The same string set by wire-install (not left from the example) is the operator's value.
    edit(charts, 'wire-server', 'values', 'brig.newSetting', 'https://chat.example.com/');
    edit(charts, 'wire-server', 'secrets', 'brig.newToken', 'a-real-token');
    expect(checkRenderedCharts(charts, never)).toEqual([]);
  });

  it('values.zauth-public-key: nginz with another public key than brig', () => {
    const charts = edit(
      render(production()),
      'wire-server',
      'secrets',
      'nginz.secrets.zAuth.publicKeys',
      'OTHER-KEY',
    );
    const findings = checkRenderedCharts(charts, never);
    expect(rules(findings)).toEqual(['values.zauth-public-key']);
    expect(findings[0]?.message).toContain('nginz differs from brig');
    expect(JSON.stringify(findings)).not.toContain(testSecrets().zauth.publicKey);
  });

  it('values.zauth-public-key: nginz without a public key is named', () => {
    const charts = edit(render(demo()), 'wire-server', 'secrets', 'nginz.secrets.zAuth', undefined);
    const findings = checkRenderedCharts(charts, never);
    expect(rules(findings)).toEqual(['values.zauth-public-key']);
    expect(findings[0]?.message).toContain('nginz.secrets.zAuth.publicKeys');
  });

  it('values.turn-secret: coturn with another secret than brig, never printed', () => {
    const charts = edit(render(production()), 'coturn', 'secrets', 'secrets.zrestSecrets', ['OTHER-SECRET']);
    const findings = checkRenderedCharts(charts, never);
    expect(rules(findings)).toEqual(['values.turn-secret']);
    expect(findings[0]?.measured).toBe('two different secrets');
    const text = JSON.stringify(findings);
    expect(text).not.toContain(testSecrets().turnSecret);
    expect(text).not.toContain('OTHER-SECRET');
  });

  it('values.redis-host: a name the databases-ephemeral release does not create (redis-ephemeral, the standalone chart)', () => {
    const charts = edit(
      render(production()),
      'wire-server',
      'values',
      'gundeck.config.redis.host',
      'redis-ephemeral',
    );
    const findings = checkRenderedCharts(charts, never);
    expect(rules(findings)).toEqual(['values.redis-host']);
    expect(findings[0]).toMatchObject({
      measured: 'redis-ephemeral',
      required: 'databases-ephemeral-redis-ephemeral',
    });
  });

  it('values.redis-host: no redis chart deployed at all', () => {
    const charts = render(production()).filter((chart) => chart.chart !== 'databases-ephemeral');
    expect(rules(checkRenderedCharts(charts, never))).toEqual(['values.redis-host']);
  });

  it('values.tags-proxy: tags.proxy left to the chart default', () => {
    const charts = edit(render(production()), 'wire-server', 'values', 'tags.proxy', undefined);
    const findings = checkRenderedCharts(charts, never);
    expect(rules(findings)).toEqual(['values.tags-proxy']);
    expect(findings[0]?.measured).toBe('not set');
  });

  it('values.postgres-migration: a state not set, and background-worker disagreeing with galley', () => {
    const unset = edit(
      render(production()),
      'wire-server',
      'values',
      'galley.config.postgresMigration.conversationCodes',
      undefined,
    );
    const first = checkRenderedCharts(unset, never);
    expect(rules(first)).toEqual(['values.postgres-migration']);
    expect(first[0]?.message).toContain('galley.config.postgresMigration.conversationCodes');

    const split = edit(
      render(demo()),
      'wire-server',
      'values',
      'background-worker.config.postgresMigration.conversation',
      'postgresql',
    );
    const second = checkRenderedCharts(split, never);
    expect(rules(second)).toEqual(['values.postgres-migration']);
    expect(second[0]?.measured).toBe('galley cassandra, background-worker postgresql');
  });

  it('values.mls-removal-keys: one of the four keys missing from secrets.yaml', () => {
    const secrets = testSecrets();
    secrets.mlsRemovalKeys.ecdsa_secp384r1_sha384 = '';
    const findings = checkRenderedCharts(render(production(), secrets), never);
    expect(rules(findings)).toEqual(['values.mls-removal-keys']);
    expect(findings[0]).toMatchObject({ measured: '3 of 4 keys' });
    expect(findings[0]?.message).toContain('ecdsa_secp384r1_sha384');
  });

  it('values.federation-domain: a federation domain other than the last apply', () => {
    const before = render(production());
    const kept = before.find((chart) => chart.release === 'wire-server')?.values;
    const lastApplied = (release: string) => (release === 'wire-server' ? kept : undefined);
    expect(checkRenderedCharts(before, lastApplied)).toEqual([]);

    const after = render(
      production((input) => (input.wire = { federation: { domain: 'other.example.com' } })),
    );
    const findings = checkRenderedCharts(after, lastApplied);
    expect(rules(findings)).toEqual(['values.federation-domain']);
    expect(findings[0]).toMatchObject({
      measured: 'other.example.com',
      required: 'wire.example.com (as last applied)',
    });
    expect(at(kept, 'brig.config.optSettings.setFederationDomain')).toBe('wire.example.com');
  });

  it('values.postgres-migration-order: a state that skips a step or goes back against the last apply', () => {
    const key = 'galley.config.postgresMigration.conversation';
    // edit() changes the charts it is given: a new rendering for each side.
    const lastAt = (state: string) => {
      const applied = edit(render(production()), 'wire-server', 'values', key, state).find(
        (chart) => chart.release === 'wire-server',
      );
      return (release: string) => (release === 'wire-server' ? applied?.values : undefined);
    };
    const now = (state: string) =>
      edit(
        edit(render(production()), 'wire-server', 'values', key, state),
        'wire-server',
        'values',
        'background-worker.config.postgresMigration.conversation',
        state,
      );
    // One step forward, or staying: fine.
    expect(rules(checkRenderedCharts(now('migration-to-postgresql'), lastAt('cassandra')))).toEqual([]);
    expect(rules(checkRenderedCharts(now('postgresql'), lastAt('migration-to-postgresql')))).toEqual([]);
    // Skipping the migration, or going back: refused, saying what may come next.
    const skipped = checkRenderedCharts(now('postgresql'), lastAt('cassandra'));
    expect(rules(skipped)).toEqual(['values.postgres-migration-order']);
    expect(skipped[0]).toMatchObject({
      measured: 'cassandra (last apply) -> postgresql',
      required: 'cassandra or migration-to-postgresql',
    });
    expect(rules(checkRenderedCharts(now('cassandra'), lastAt('postgresql')))).toEqual([
      'values.postgres-migration-order',
    ]);
  });
});
