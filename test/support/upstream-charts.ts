import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';

/**
 * Wire's REAL helm charts, pinned, with every dependency vendored so that helm renders them
 * without a network: `wire-5.28` (wire-server Chart Release 5.28.0 with wire-server-deploy
 * v5.28's values/) and `wire-develop` (wire-server develop as 5.30.0-develop with
 * wire-server-deploy v5.32's values/). They live outside this repository, read-only, beside it
 * at ../shared/wire/upstream (MANIFEST.md there says where each chart came from, and which are
 * older stand-ins or missing). WIRE_INSTALL_UPSTREAM_CHARTS points elsewhere.
 *
 * Missing: a clear failure that says where it looked, never a silent skip.
 */
const ALL_SETS = ['wire-5.28', 'wire-develop'] as const;
export type PinnedSet = (typeof ALL_SETS)[number];

/**
 * The sets the suite uses: both, or (to see what one release alone accepts, e.g. which keys
 * only one version reads) those named in WIRE_INSTALL_PINNED_SETS, comma-separated.
 */
export const PINNED_SETS: readonly PinnedSet[] = (() => {
  const wanted = process.env.WIRE_INSTALL_PINNED_SETS?.split(',').filter((set) => set !== '');
  if (!wanted || wanted.length === 0) return ALL_SETS;
  const unknown = wanted.filter((set) => !(ALL_SETS as readonly string[]).includes(set));
  if (unknown.length > 0)
    throw new Error(
      `WIRE_INSTALL_PINNED_SETS: unknown set ${unknown.join(', ')} (known: ${ALL_SETS.join(', ')})`,
    );
  return wanted as PinnedSet[];
})();

const REPOSITORY = resolve(import.meta.dirname, '../..');

export function upstreamRoot(): string {
  const candidates = [
    process.env.WIRE_INSTALL_UPSTREAM_CHARTS,
    join(REPOSITORY, '..', 'shared', 'wire', 'upstream'),
    '/work/shared/wire/upstream',
  ].filter((path): path is string => typeof path === 'string' && path !== '');
  const found = candidates.find((path) => ALL_SETS.every((set) => existsSync(join(path, set))));
  if (!found)
    throw new Error(
      `Wire's pinned charts are missing (looked at ${candidates.join(', ')}): set WIRE_INSTALL_UPSTREAM_CHARTS to the folder holding ${ALL_SETS.join(' and ')}`,
    );
  return found;
}

/** The charts of a set (folders with a Chart.yaml), by folder name. */
export function setCharts(set: PinnedSet): string[] {
  const root = join(upstreamRoot(), set);
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'Chart.yaml')))
    .sort();
}

export function chartVersionIn(set: PinnedSet, chart: string): string | undefined {
  const file = join(upstreamRoot(), set, chart, 'Chart.yaml');
  if (!existsSync(file)) return undefined;
  const parsed = yaml.load(readFileSync(file, 'utf8')) as { version?: unknown };
  return String(parsed.version);
}

/**
 * A bundle as wire-install reads one (charts/<chart>/, values/<chart>/), in a new temp folder
 * whose entries are symlinks into the pinned set: nothing is copied and nothing written there.
 */
export function bundleFromSet(set: PinnedSet): string {
  const source = join(upstreamRoot(), set);
  const bundle = mkdtempSync(join(tmpdir(), `wire-bundle-${set}-`));
  mkdirSync(join(bundle, 'charts'));
  for (const chart of setCharts(set)) symlinkSync(join(source, chart), join(bundle, 'charts', chart));
  symlinkSync(join(source, 'values'), join(bundle, 'values'));
  return bundle;
}

const made = new Map<PinnedSet, string>();

/**
 * One bundle per pinned set for the whole test process, removed when it exits (only symlinks:
 * nothing of the set is copied). The newest set, wire-develop, unless a test asks for another.
 */
export function pinnedBundle(set: PinnedSet = 'wire-develop'): string {
  let bundle = made.get(set);
  if (!bundle) {
    bundle = bundleFromSet(set);
    made.set(set, bundle);
    if (made.size === 1)
      process.once('exit', () => {
        for (const path of made.values()) rmSync(path, { recursive: true, force: true });
      });
  }
  return bundle;
}
