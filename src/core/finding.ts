/**
 * What a rule reports. Rules are small functions over the resolved inventory that return
 * findings as data; commands decide how to print them (text or --json) and what exit code
 * follows (any `error` finding makes inventory validation fail with exit 2).
 */
export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  /** Stable rule id, e.g. `roles.count`, `hardware.memory`, `cert.san`. Documented in docs/rules.md. */
  rule: string;
  /** The host the finding is about, when there is one. */
  host?: string;
  /** Path of the inventory key it is about, e.g. ['hosts', 2, 'resources', 'memoryGiB'], to point at file:line:column. */
  path?: (string | number)[];
  /** What is wrong, one sentence a sysadmin understands. */
  message: string;
  /** The value that was declared or measured, e.g. '4 GiB'. */
  measured?: string;
  /** The value the rule requires, e.g. 'at least 8 GiB'. */
  required?: string;
  /** What to do about it. */
  fix: string;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === 'error');
}
