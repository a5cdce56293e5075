import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecrets, type WireSecrets } from '../../src/secrets/generate.js';
import { secretValues } from '../../src/secrets/redact.js';
import { type ChartDefinition, chartsFor } from '../../src/wire/charts.js';
import { placeholderIn } from '../../src/workloads/values/placeholders.js';
import type { ChartTrees } from '../../src/workloads/values.js';
import { realHelm } from '../support/helm-binary.js';
import {
  bundleFromSet,
  chartVersionIn,
  PINNED_SETS,
  type PinnedSet,
  setCharts,
} from '../support/upstream-charts.js';
import {
  differs,
  leafPaths,
  markable,
  marker,
  type Path,
  pathText,
  perturbed,
  unstableLines,
  valueAt,
  withValue,
} from './liveness.js';
import { DOMAIN, FEDERATION_DOMAIN, type MatrixInventory, matrixEntries, withFolders } from './matrix.js';
import {
  comparableManifests,
  filesOf,
  type HelmRun,
  searchableText,
  template,
  templateAndLint,
  treesOf,
} from './render.js';

/**
 * Conformance with Wire's REAL charts (../shared/wire/upstream: two pinned releases, every
 * dependency vendored). For each pinned set and each inventory of the matrix, every release
 * the inventory deploys is computed exactly as apply computes it and rendered by the real
 * `helm template` and `helm lint`. Then, per release: no placeholder of Wire's examples left,
 * no secrets.yaml value in the values file; and per chart, over both sets: no key
 * wire-install sets that changes nothing helm renders. A chart a set lacks is a skipped test
 * with the reason (MANIFEST.md there lists them), never a pass.
 *
 * The table (chart x inventory x set) is written to .test-output/conformance.md.
 */
const ENTRIES = matrixEntries();

/** Why a chart is not in the pinned sets (from their MANIFEST.md). */
const MISSING_REASON: Record<string, string> = {
  'cert-manager': "Wire's cert-manager wrapper chart (wireapp/helm-charts) is not in the pinned sets",
  postgresql: "Wire's postgresql wrapper chart (wireapp/helm-charts) is not in the pinned sets",
  'postgresql-external': 'postgresql-external (wireapp/helm-charts) is not in the pinned sets',
  smtp: "Wire's smtp chart (wireapp/helm-charts) is not in the pinned sets",
};

function deployed(inventory: MatrixInventory['inventory']): readonly ChartDefinition[] {
  return chartsFor(inventory.mode).filter((chart) => chart.when?.applies(inventory) ?? true);
}

interface Row {
  set: PinnedSet;
  inventory: string;
  chart: ChartDefinition;
  missing: string | undefined;
}

const ROWS: Row[] = PINNED_SETS.flatMap((set) => {
  const present = new Set(setCharts(set));
  return ENTRIES.flatMap((entry) =>
    deployed(entry.inventory).map((chart) => ({
      set,
      inventory: entry.name,
      chart,
      missing: present.has(chart.chart)
        ? undefined
        : (MISSING_REASON[chart.chart] ?? `chart ${chart.chart} is not in ${set}`),
    })),
  );
});

interface Rendered {
  trees: ChartTrees;
  template: HelmRun;
  lint: HelmRun;
}

let helm: string;
let matrix: Map<string, MatrixInventory>;
let matrixRoot: string | undefined;
let secrets: WireSecrets;
const bundles = new Map<PinnedSet, string>();
const renders = new Map<string, Promise<Rendered>>();
const table = new Map<string, string>();

beforeAll(() => {
  helm = realHelm();
  const folders = withFolders(ENTRIES);
  matrixRoot = dirname(folders[0]?.inventoryDir ?? '');
  matrix = new Map(folders.map((entry) => [entry.name, entry]));
  // Real secrets in their real formats; the SMTP relay password is the operator's, given here.
  secrets = { ...generateSecrets(), smtp: { password: 'relay-password-given-by-the-operator' } };
  for (const set of PINNED_SETS) bundles.set(set, bundleFromSet(set));
  // Every render starts now (helm runs a few at a time); each test awaits its own.
  for (const row of ROWS) if (!row.missing) void rendered(row).catch(() => undefined);
});

const key = (row: Pick<Row, 'set' | 'inventory'> & { release: string }) =>
  `${row.set}|${row.inventory}|${row.release}`;

function rendered(row: Row): Promise<Rendered> {
  const id = key({ ...row, release: row.chart.release });
  let promise = renders.get(id);
  if (!promise) {
    const bundle = bundles.get(row.set) as string;
    const entry = matrix.get(row.inventory) as MatrixInventory;
    const trees = treesOf(entry, secrets, bundle, row.chart);
    promise = templateAndLint(helm, bundle, row.chart, filesOf(trees)).then((runs) => ({ trees, ...runs }));
    renders.set(id, promise);
  }
  return promise;
}

function note(row: Row, result: string): void {
  table.set(key({ ...row, release: row.chart.release }), result);
}

afterAll(() => {
  for (const bundle of bundles.values()) rmSync(bundle, { recursive: true, force: true });
  if (matrixRoot) rmSync(matrixRoot, { recursive: true, force: true });
  const inventories = ENTRIES.map((entry) => entry.name);
  const releases = [...new Set(ROWS.map((row) => row.chart.release))];
  const lines = [
    '# Conformance with the pinned Wire charts',
    '',
    `helm template + helm lint of every release, computed as apply computes it (domain ${DOMAIN}).`,
    '',
  ];
  for (const set of PINNED_SETS) {
    lines.push(
      `## ${set}`,
      '',
      `| chart | ${inventories.join(' | ')} |`,
      `|---|${inventories.map(() => '---').join('|')}|`,
    );
    for (const release of releases)
      lines.push(
        `| ${release} ${chartVersionIn(set, release) ?? ''} | ${inventories
          .map((inventory) => table.get(key({ set, inventory, release })) ?? '')
          .join(' | ')} |`,
      );
    lines.push('');
  }
  const notChecked = new Map<string, number>();
  for (const list of unresolved.values())
    for (const item of list) notChecked.set(item, (notChecked.get(item) ?? 0) + 1);
  if (notChecked.size > 0) {
    lines.push('## Service names not checked (the providing chart is not in the pinned sets)', '');
    for (const [item, count] of notChecked) lines.push(`- ${item}: in ${count} renders`);
    lines.push('');
  }
  mkdirSync('.test-output', { recursive: true });
  writeFileSync(join('.test-output', 'conformance.md'), `${lines.join('\n')}\n`);
  const results = [...table.values()];
  const count = (result: string) => results.filter((value) => value === result).length;
  console.log(
    `conformance with Wire's real charts: ${count('pass')} renders passed, ${count('FAIL')} failed, ${count('skipped')} skipped (chart not in the set); table: .test-output/conformance.md`,
  );
});

describe.each(ROWS.map((row) => [`${row.set} ${row.inventory} ${row.chart.release}`, row] as const))(
  '%s',
  (_name, row) => {
    it.skipIf(row.missing !== undefined)(
      `helm template and helm lint pass${row.missing ? ` (skipped: ${row.missing})` : ''}`,
      async () => {
        note(row, 'FAIL');
        const result = await rendered(row);
        expect(result.template.error, 'helm template').toBe('');
        expect(result.template.ok).toBe(true);
        expect(result.lint.error, 'helm lint').toBe('');
        expect(result.lint.ok).toBe(true);
        note(row, 'pass');
      },
      // helm template + lint of one release takes 2-10 s alone; beside two lab files and the unit
      // tests on a 2-CPU machine (scripts/test.sh), fake-aws (six subcharts) took over 90 s. The
      // work is the same, only slower.
      300_000,
    );
    if (row.missing) note(row, 'skipped');

    it.skipIf(row.missing !== undefined)(
      "nothing of Wire's examples is left: no placeholder in the files or the manifests",
      async () => {
        const result = await rendered(row);
        const inFiles = [
          ...leafPlaceholders(result.trees.values, 'values'),
          ...leafPlaceholders(result.trees.secrets, 'secrets'),
        ];
        const inManifests = manifestPlaceholders(searchableText(result.template.stdout), result.trees);
        expectNone(inFiles, 'placeholders in the values and secrets files');
        expectNone(inManifests, 'placeholders in what helm rendered');
      },
    );

    it.skipIf(row.missing !== undefined)('no secrets.yaml value is in the values file', async () => {
      const result = await rendered(row);
      const values = filesOf(result.trees).values;
      const leaked = secretValues(secrets).filter((secret) => values.includes(secret));
      expect(leaked.length, 'secrets.yaml values found in the values file').toBe(0);
    });
  },
);

/** Fails with every item listed in full (an assertion diff would cut them short). */
function expectNone(items: readonly string[], what: string): void {
  if (items.length > 0) expect.fail(`${what}:\n${items.map((item) => `  ${item}`).join('\n')}`);
}

const withoutDomains = (line: string) =>
  line.replaceAll(DOMAIN, 'DOMAIN').replaceAll(FEDERATION_DOMAIN, 'FEDERATION-DOMAIN');

/** Every string of the files (whole, so a multi-line PEM block counts) with a placeholder, the domain names taken out first. */
function leafPlaceholders(tree: unknown, file: string, path = ''): string[] {
  if (typeof tree === 'string') {
    const what = placeholderIn(withoutDomains(tree));
    return what ? [`${file} ${path}: ${what}: ${JSON.stringify(tree.slice(0, 80))}`] : [];
  }
  if (Array.isArray(tree))
    return tree.flatMap((item, index) => leafPlaceholders(item, file, `${path}[${index}]`));
  if (tree !== null && typeof tree === 'object')
    return Object.entries(tree).flatMap(([key, value]) =>
      leafPlaceholders(value, file, path ? `${path}.${key}` : key),
    );
  return [];
}

/**
 * In what helm rendered, the charts' own text has angle brackets and dots of its own (shell
 * usage lines, nginx comments), so only these count: a name under example.com/.org, changeme,
 * verysecurepassword, and any placeholder string of Wire's example files for this chart.
 */
function manifestPlaceholders(text: string, trees: ChartTrees): string[] {
  const generic = /\bexample\.(?:com|org)\b|change_?me|verysecurepassword/i;
  const lines = text
    .split('\n')
    .map(withoutDomains)
    .filter((line) => generic.test(line))
    .map((line) => line.trim().slice(0, 160));
  const exact = [...exampleStrings(trees.example.values), ...exampleStrings(trees.example.secrets)]
    .filter((value) => placeholderIn(value) !== undefined && text.includes(value))
    .map((value) => `Wire's example value ${JSON.stringify(value.slice(0, 80))}`);
  return [...new Set([...lines, ...exact])];
}

function exampleStrings(tree: unknown): string[] {
  if (typeof tree === 'string') return [tree];
  if (Array.isArray(tree)) return tree.flatMap(exampleStrings);
  if (tree !== null && typeof tree === 'object') return Object.values(tree).flatMap(exampleStrings);
  return [];
}

// ---- names that must exist -----------------------------------------------------------------

/** The releases that create the Services wire-server's settings name (the providers of each host). */
const HOST_KINDS = [
  'cassandra',
  'cassandraGalley',
  'cassandraBrig',
  'elasticsearch',
  'rabbitmq',
  'redis',
  'postgresql',
  'smtp',
];

/** Every `<kind>.host` of wire-server's values, and cargohold's S3 endpoint host, with its path. */
function serviceReferences(tree: unknown, path: string[] = []): { path: string; host: string }[] {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) return [];
  const found: { path: string; host: string }[] = [];
  for (const [key, value] of Object.entries(tree)) {
    const parent = path[path.length - 1];
    if (key === 'host' && typeof value === 'string' && parent !== undefined && HOST_KINDS.includes(parent))
      found.push({ path: [...path, key].join('.'), host: value });
    else if (key === 's3Endpoint' && typeof value === 'string')
      found.push({ path: [...path, key].join('.'), host: new URL(value).hostname });
    else found.push(...serviceReferences(value, [...path, key]));
  }
  return found;
}

function renderedServices(manifests: string): string[] {
  return yaml
    .loadAll(manifests, undefined, { json: true })
    .filter(
      (doc): doc is { kind: string; metadata: { name: string } } => typeof doc === 'object' && doc !== null,
    )
    .filter((doc) => doc.kind === 'Service')
    .map((doc) => doc.metadata.name);
}

const unresolved = new Map<string, string[]>();

describe.each(
  PINNED_SETS.flatMap((set) => ENTRIES.map((entry) => [`${set} ${entry.name}`, set, entry.name] as const)),
)('%s', (_name, set, inventoryName) => {
  it("every Service wire-server's settings name is created by a release of this installation", async () => {
    const rows = ROWS.filter((row) => row.set === set && row.inventory === inventoryName);
    const wire = rows.find((row) => row.chart.release === 'wire-server');
    if (!wire) return;
    const entry = matrix.get(inventoryName) as MatrixInventory;
    const services = new Set<string>();
    for (const row of rows.filter((candidate) => !candidate.missing))
      for (const name of renderedServices((await rendered(row)).template.stdout)) services.add(name);
    const missingCharts = rows.filter((row) => row.missing).map((row) => row.chart.release);
    const relayed = entry.inventory.wire.smtp.mode === 'relay';
    const problems: string[] = [];
    const notChecked: string[] = [];
    for (const { path, host } of serviceReferences((await rendered(wire)).trees.values)) {
      if (services.has(host)) continue;
      if (relayed && path.endsWith('smtp.host')) continue; // the operator's mail server, outside the cluster
      // A Service of a chart the pinned set lacks (postgresql-external, postgresql, smtp) cannot be checked.
      const provider = missingCharts.find((release) => host.startsWith(release));
      if (provider) notChecked.push(`${path} = ${host} (${provider} is not in the set)`);
      else problems.push(`${path} = ${host}: no release of this installation creates a Service of that name`);
    }
    unresolved.set(`${set}|${inventoryName}`, notChecked);
    expectNone(problems, 'names no release creates');
  });
});

// ---- dead settings --------------------------------------------------------------------------

/**
 * Charts the pinned sets hold only in an older version than wire-server-deploy pins (their
 * MANIFEST.md: webapp, team-settings, sftd, coturn). A key that Wire's example values set for
 * the version wire-server-deploy pins may be unknown to the older chart; such keys are not
 * counted dead here (wire-install must still replace their example.com values).
 */
const OLDER_STAND_INS = new Set(['webapp', 'team-settings', 'sftd', 'coturn']);

const CHARTS = [
  ...new Map(ROWS.filter((row) => !row.missing).map((row) => [row.chart.chart, row.chart])).values(),
];

interface Candidate {
  kind: 'values' | 'secrets';
  path: Path;
}

describe.each(CHARTS.map((chart) => [chart.chart, chart] as const))('%s', (_name, chart) => {
  it('every key wire-install sets changes what helm renders, in each pinned set and inventory that sets it', async () => {
    const dead: string[] = [];
    for (const row of ROWS.filter(
      (candidate) => candidate.chart.chart === chart.chart && !candidate.missing,
    )) {
      const { trees } = await rendered(row);
      const live = new Set<string>();
      const candidates = new Map<string, Candidate>();
      for (const kind of ['values', 'secrets'] as const)
        for (const path of leafPaths((kind === 'values' ? trees.set.values : trees.set.secrets) ?? {})) {
          const inExample = valueAt(kind === 'values' ? trees.example.values : trees.example.secrets, path);
          if (OLDER_STAND_INS.has(chart.chart) && inExample !== undefined) continue;
          candidates.set(`${kind}:${pathText(path)}`, { kind, path });
        }
      await markerPass(row, candidates, live);
      const unsure = [...candidates].filter(([name]) => !live.has(name));
      const changed = await Promise.all(unsure.map(([, candidate]) => changesSomething(row, candidate)));
      dead.push(
        ...unsure
          .filter((_, index) => !changed[index])
          .map(([name]) => `${row.set} ${row.inventory}: ${name}`),
      );
    }
    expectNone(dead, `keys ${chart.chart} sets that change nothing in that set's chart`);
  }, 300_000);
});

let markerId = 0;

/** One render with every string and number wire-install sets marked; a marker in the output proves its key live. */
async function markerPass(
  row: Row,
  candidates: ReadonlyMap<string, Candidate>,
  live: Set<string>,
): Promise<void> {
  const { trees } = await rendered(row);
  const marks = new Map<string, string>();
  let values = trees.values;
  let secretsTree = trees.secrets;
  for (const [name, { kind, path }] of candidates) {
    const current = valueAt(kind === 'values' ? values : secretsTree, path);
    if (live.has(name) || current === undefined || !markable(current)) continue;
    markerId += 1;
    marks.set(typeof current === 'number' ? String(numberMarker(markerId)) : marker(markerId), name);
    const next = typeof current === 'number' ? numberMarker(markerId) : perturbed(current, markerId);
    if (kind === 'values') values = withValue(values, path, next);
    else secretsTree = withValue(secretsTree, path, next);
  }
  if (marks.size === 0) return;
  const run = await template(
    helm,
    bundles.get(row.set) as string,
    row.chart,
    filesOf({ values, secrets: secretsTree }),
  );
  if (!run.ok) return;
  const text = searchableText(run.stdout);
  for (const [mark, name] of marks) if (text.includes(mark)) live.add(name);
}

const numberMarker = (id: number) => 7_300_000 + id;

const unstable = new Map<string, Promise<Set<string>>>();

/** Lines that differ between two renders of the same files (a chart that makes random values). */
function unstableLinesOf(row: Row): Promise<Set<string>> {
  const id = key({ ...row, release: row.chart.release });
  let lines = unstable.get(id);
  if (!lines) {
    lines = rendered(row).then(async ({ trees, template: first }) => {
      const second = await template(helm, bundles.get(row.set) as string, row.chart, filesOf(trees));
      return unstableLines(comparableManifests(first.stdout), comparableManifests(second.stdout));
    });
    unstable.set(id, lines);
  }
  return lines;
}

/** The key perturbed alone, against the unperturbed render (a failing render counts as a change). */
async function changesSomething(row: Row, { kind, path }: Candidate): Promise<boolean> {
  const { trees, template: baseline } = await rendered(row);
  const tree = kind === 'values' ? trees.values : trees.secrets;
  const current = valueAt(tree, path);
  if (tree === undefined || current === undefined || !baseline.ok) return false;
  const unstable = await unstableLinesOf(row);
  markerId += 1;
  const changed = withValue(tree, path, perturbed(current, markerId));
  const files = filesOf(kind === 'values' ? { ...trees, values: changed } : { ...trees, secrets: changed });
  const run = await template(helm, bundles.get(row.set) as string, row.chart, files);
  // A render that fails after the change counts as a change: a chart that never reads the key
  // renders exactly as before, whatever its value, so the chart took another path because of it
  // (tags.legalhold: true switches on a sub-chart that then wants its own settings).
  return !run.ok || differs(comparableManifests(run.stdout), comparableManifests(baseline.stdout), unstable);
}
