import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { STATE_DIR } from '../../state/store.js';
import { isTree, type Tree } from './tree.js';

/**
 * The values each release was last applied with, kept beside the inventory in
 * .wire-install/values/<release>.yaml: values only, never secrets (the secrets file is never
 * kept). The plan diffs against them, and the rules compare what must not change
 * (setFederationDomain, docs/wire/known-problems.md#the-federation-domain-cannot-change). The chart steps keep them after a successful install
 * (the same path as src/workloads/helm/release-record.ts).
 */
export const LAST_APPLIED_DIR = join(STATE_DIR, 'values');

export function lastAppliedValuesPath(inventoryDir: string, release: string): string {
  return join(inventoryDir, LAST_APPLIED_DIR, `${release}.yaml`);
}

/** The text kept from the last apply, or undefined before the first. */
export function readLastAppliedValues(inventoryDir: string, release: string): string | undefined {
  const path = lastAppliedValuesPath(inventoryDir, release);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** The kept values parsed; a file that no longer parses counts as none (it is rewritten on the next apply). */
export function lastAppliedTree(inventoryDir: string, release: string): Tree | undefined {
  const text = readLastAppliedValues(inventoryDir, release);
  if (text === undefined) return undefined;
  try {
    const parsed = yaml.load(text);
    return isTree(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Called once helm applied the release with these values (the values text, never the secrets). */
export async function keepAppliedValues(
  inventoryDir: string,
  release: string,
  values: string,
): Promise<void> {
  await writeFileAtomic(lastAppliedValuesPath(inventoryDir, release), values, { mode: 0o644 });
}
