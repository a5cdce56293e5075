import type { WireSecrets } from './generate.js';

/**
 * Keeping secrets out of logs and support bundles: every value of the secrets file is
 * replaced by `[redacted]` before text leaves wire-install's hands.
 */

export const REDACTED = '[redacted]';

/**
 * Leaf values that are not secret and too common to replace: redacting the monitoring user
 * `admin` would turn "administrator" into "[redacted]istrator" in every log.
 */
const PUBLIC_VALUES = new Set<string>(['admin']);

/** A PEM body line shorter than this is not replaced on its own (the last line can be "5A=="). */
const MIN_PEM_LINE = 16;

/**
 * Every leaf string of the secrets (PEM keys included), plus each base64 line of every PEM
 * key, so a key is also caught when it appears re-indented (in a values file) or with its
 * newlines escaped (in JSON). `monitoring.username` ('admin') is left out on purpose.
 */
export function secretValues(secrets: WireSecrets): string[] {
  const values = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node === 'string') {
      if (node === '' || PUBLIC_VALUES.has(node)) return;
      values.add(node);
      if (node.includes('-----BEGIN')) for (const value of pemValues(node)) values.add(value);
      return;
    }
    if (node && typeof node === 'object') for (const child of Object.values(node)) visit(child);
  };
  visit(secrets);
  return [...values];
}

/** A PEM text whole and each of its base64 lines (re-indented or JSON-escaped copies are caught line by line). */
export function pemValues(pem: string): string[] {
  const trimmed = pem.trim();
  if (trimmed === '') return [];
  const lines = trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= MIN_PEM_LINE && !line.startsWith('-----'));
  return [trimmed, ...lines];
}

/** Replaces every occurrence of every value with `[redacted]`, longest values first. */
export function redact(text: string, values: readonly string[]): string {
  const ordered = [...new Set(values)]
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const value of ordered) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  return out;
}

/**
 * A copy of `value` with every string redacted: what apply reports (events, failures with
 * their evidence: a migration's log tail, a command's last lines) passes through this, so a
 * secret that a host or a pod printed never reaches the terminal, --json or the debug log.
 */
export function redactDeep<T>(value: T, values: readonly string[]): T {
  if (values.length === 0) return value;
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return redact(node, values);
    if (Array.isArray(node)) return node.map(visit);
    if (node !== null && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, visit(child)]));
    return node;
  };
  return visit(value) as T;
}
