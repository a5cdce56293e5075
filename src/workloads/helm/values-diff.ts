import yaml from 'js-yaml';
import { canonicalJson } from '../../state/fingerprint.js';

/**
 * Which values of a release differ from the last apply, as dotted paths (`brig.replicaCount`,
 * `tags`), for `apply --plan`. Maps are compared key by key down to the leaves; a list or a
 * scalar is one value. Only the values file is compared: secrets are never kept, only their
 * checksum, so a plan can say that they changed but never what.
 */
export function changedValuePaths(before: string, after: string): string[] {
  const changed: string[] = [];
  compare(parse(before), parse(after), [], changed);
  return changed;
}

/** At most this many paths are listed in one plan line; the rest are counted. */
const LISTED = 12;

export function describePaths(paths: readonly string[]): string {
  const listed = paths.slice(0, LISTED).join(', ');
  return paths.length > LISTED ? `${listed} and ${paths.length - LISTED} more` : listed;
}

function parse(text: string): unknown {
  try {
    return yaml.load(text) ?? {};
  } catch {
    // A values file is rendered by wire-install; one that no longer parses differs as a whole.
    return { '(unparsable values)': text };
  }
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function compare(before: unknown, after: unknown, path: string[], changed: string[]): void {
  if (isMap(before) && isMap(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) compare(before[key], after[key], [...path, key], changed);
    return;
  }
  if (canonicalJson(before) !== canonicalJson(after)) changed.push(path.length ? path.join('.') : '(all)');
}
