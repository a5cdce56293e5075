import { WireInstallError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import type { Operation, OperationOutcome } from './types.js';

/**
 * A check as an operation (preflight): it changes nothing. Error findings fail the step, with
 * every finding as evidence; warnings become notes, shown on every run. Its step runs on
 * every apply (`alwaysRun`): a check that passed last week says nothing about today.
 */
export function findingLine(finding: Finding): string {
  const measured = finding.measured
    ? ` (found ${finding.measured}; required ${finding.required ?? '-'})`
    : '';
  return `${finding.severity} ${finding.rule}: ${finding.message}${measured}; fix: ${finding.fix}`;
}

export function findingsCheck(name: string, evaluate: () => Finding[]): Operation {
  const run = async (): Promise<OperationOutcome> => {
    const findings = evaluate();
    const errors = findings.filter((finding) => finding.severity === 'error');
    const notes = findings.filter((finding) => finding.severity === 'warning').map(findingLine);
    if (errors.length > 0) {
      const host = errors[0]?.host;
      throw new WireInstallError({
        what: `${host ? `${host}: ` : ''}${name} found ${errors.length} problem${errors.length === 1 ? '' : 's'}`,
        evidence: findings.map(findingLine),
        ...(host ? { host } : {}),
        next: errors[0]?.fix ?? 'fix the findings and run apply again',
      });
    }
    return { changes: [], notes };
  };
  return { kind: 'check', target: name, inputs: { check: name }, check: run, apply: run };
}
