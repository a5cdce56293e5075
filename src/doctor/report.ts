import type { Output } from '../core/output.js';
import { DOCTOR_GROUPS, type DoctorReport, type DoctorResult, type DoctorStatus } from './types.js';

/**
 * Renders a doctor report: `--json` prints the report as one JSON document (its shape is
 * DoctorReport, documented in docs/doctor.md); otherwise a table per group, problems first
 * within a group, each warn and fail followed by its evidence and fix, then one summary line.
 */

export function countResults(results: readonly DoctorResult[]): Record<DoctorStatus, number> {
  const counts: Record<DoctorStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

const ORDER: Record<DoctorStatus, number> = { fail: 0, warn: 1, pass: 2, skip: 3 };

function label(status: DoctorStatus, output: Output): string {
  const text = status.toUpperCase().padEnd(4);
  const { color } = output;
  if (status === 'fail') return color.red.bold(text);
  if (status === 'warn') return color.yellow(text);
  if (status === 'pass') return color.green(text);
  return color.dim(text);
}

export function renderReport(report: DoctorReport, output: Output): void {
  if (output.json) {
    output.data(report as unknown as Record<string, unknown>);
    return;
  }
  const checkWidth = Math.max(...report.results.map((result) => result.check.length), 5);
  const hostWidth = Math.max(...report.results.map((result) => (result.host ?? '').length), 1);
  for (const group of DOCTOR_GROUPS) {
    const results = report.results
      .filter((result) => result.group === group)
      .sort((a, b) => ORDER[a.status] - ORDER[b.status]);
    if (results.length === 0) continue;
    output.line(output.color.bold(group));
    for (const result of results) {
      const host = (result.host ?? '').padEnd(hostWidth);
      output.line(
        `  ${label(result.status, output)}  ${result.check.padEnd(checkWidth)}  ${host}  ${result.summary}`,
      );
      // Evidence for every problem; for a pass only with --verbose (what was measured).
      const detailed = result.status === 'fail' || result.status === 'warn' || output.verbose;
      if (detailed) for (const line of result.evidence) output.line(output.color.dim(`        ${line}`));
      if (result.fix && result.status !== 'pass') output.line(`        fix: ${result.fix}`);
    }
    output.line();
  }
  const { counts } = report;
  const seconds = (report.durationMs / 1000).toFixed(1);
  const verdict =
    counts.fail > 0
      ? output.color.red.bold(`${counts.fail} failed`)
      : counts.warn > 0
        ? output.color.yellow('no failures, some warnings')
        : output.color.green('all checks passed');
  output.line(
    `doctor: ${verdict} (${counts.pass} pass, ${counts.warn} warn, ${counts.fail} fail, ${counts.skip} skip) in ${seconds} s`,
  );
}
