import type { Finding } from '../core/finding.js';
import type { DoctorGroup, DoctorResult } from './types.js';

/**
 * Small constructors for results, so every check reads the same way, and the bridge from the
 * rules' findings (preflight, verify: severity error/warning with measured/required/fix) to
 * doctor's results, so doctor and apply judge a host by the same code.
 */

export function groupOf(check: string): DoctorGroup {
  return check.split('.')[0] as DoctorGroup;
}

interface ResultDetails {
  host?: string | undefined;
  evidence?: string[];
}

export function pass(check: string, summary: string, details: ResultDetails = {}): DoctorResult {
  return result(check, 'pass', summary, details);
}

export function warn(check: string, summary: string, fix: string, details: ResultDetails = {}): DoctorResult {
  return { ...result(check, 'warn', summary, details), fix };
}

export function fail(check: string, summary: string, fix: string, details: ResultDetails = {}): DoctorResult {
  return { ...result(check, 'fail', summary, details), fix };
}

export function skip(check: string, reason: string, details: ResultDetails = {}): DoctorResult {
  return result(check, 'skip', reason, details);
}

function result(
  check: string,
  status: DoctorResult['status'],
  summary: string,
  details: ResultDetails,
): DoctorResult {
  return {
    check,
    group: groupOf(check),
    status,
    ...(details.host !== undefined ? { host: details.host } : {}),
    summary,
    evidence: details.evidence ?? [],
  };
}

/** The measured and required values of a finding, as evidence lines. */
export function findingEvidence(finding: Finding): string[] {
  return [
    ...(finding.measured !== undefined ? [`measured: ${finding.measured}`] : []),
    ...(finding.required !== undefined ? [`required: ${finding.required}`] : []),
  ];
}

/**
 * Findings as results of one check: each error a fail, each warning a warn (with the finding's
 * rule id as evidence, so docs/rules.md explains it); none at all is one pass with `passed`.
 */
export function fromFindings(
  check: string,
  findings: readonly Finding[],
  passed: { summary: string; host?: string | undefined; evidence?: string[] },
): DoctorResult[] {
  if (findings.length === 0) return [pass(check, passed.summary, passed)];
  return findings.map((finding) => {
    const details = {
      host: finding.host ?? passed.host,
      evidence: [...findingEvidence(finding), `rule: ${finding.rule}`],
    };
    return finding.severity === 'error'
      ? fail(check, finding.message, finding.fix, details)
      : warn(check, finding.message, finding.fix, details);
  });
}

/** A check that could not run to the end (a command failed, a probe timed out): a fail naming why. */
export function errorResult(check: string, what: string, error: unknown, host?: string): DoctorResult {
  const message = error instanceof Error ? error.message : String(error);
  const [first = '', ...rest] = message.split('\n');
  // Every fail carries evidence (docs/doctor.md): a one-line error is its own evidence.
  const evidence = rest.length > 0 ? rest.slice(0, 12) : [`error: ${first}`];
  return fail(check, `${what}: ${first}`, 'see the evidence; run doctor again with the host reachable', {
    host,
    evidence,
  });
}
