import { createHash } from 'node:crypto';

/**
 * A step's fingerprint: the SHA-256 of its inputs (rendered files, artifact checksums, versions,
 * options) in canonical JSON, so the same inputs give the same fingerprint whatever the key
 * order. A step is skipped only when it succeeded before with the same fingerprint.
 */
export function fingerprint(inputs: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(inputs)).digest('hex')}`;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** A secret or a file's content in a fingerprint: its hash, never the value. */
export function sha256Text(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
